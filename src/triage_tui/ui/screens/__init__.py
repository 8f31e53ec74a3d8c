"""Modal screens and the full-screen views."""
