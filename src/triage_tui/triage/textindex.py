"""A small incremental text index for support tickets: features and TF-IDF cosine.

Why not a library: rank-bm25 and bm25s rebuild their matrices from the whole corpus, and
a queue changes a few tickets per poll; what is needed here is add/replace/remove of one
document in microseconds and a query bounded in time at 100k documents, and the part
that matters (which features of a ticket say "same problem") is ours anyway.

Features: words (lower-cased, light stemming, stop words out) and two-word phrases
("live events") weigh 1; the things that identify a problem weigh three times as much:
error names and codes, HTTP statuses, stack-frame functions and files, URL hosts and
paths, identifiers (`maskAllInputs`, `utm_source`), quoted messages. Two tickets in
different words about the same `TypeError: e.capture is not a function` share the heavy
features. (Product-area words weighed more at first; on the labelled set that linked
"dark mode for dashboards" with "dashboards not updating" and cost related-ticket
precision 0.83 -> 0.69, so they count as words: the phrases carry the area.)

Pure: no IO. The caller keeps it current (`add` replaces, `remove` forgets).
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

Features = Mapping[str, float]  # feature -> count in the document

# Words that say nothing about the problem (a word list reads better as text than as a list).
STOP = frozenset(
    """
    a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing done down during each even ever every
    few for from further get gets getting got had has have having he her here hers him his how i
    if in into is it its itself just let like me more most my no nor not now of off on once only
    or other our ours out over own please same see seems she should so some still such than
    thank thanks that the their them then there these they this those through to too under until
    up us very via was we were what when where which while who why will with would you your
    yours hi hello hey team regards cheers best help anyone someone something today yesterday
    since ago already really any anything everything nothing one two three new issue problem
    question know want need using use used work working works seem happen happening happens way
    doesn't don't isn't can't won't wasn't didn't aren't im i'm we're it's there's that's
    """.split()  # noqa: SIM905
)

WORD_WEIGHT = 1.0
PHRASE_WEIGHT = 1.0  # two words in a row count as one more feature
SIGNAL_WEIGHT = 3.0  # errors, frames, URLs, identifiers, quoted messages

_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*[a-z0-9]|[a-z0-9]")
_URL = re.compile(r"https?://([a-z0-9.\-]+)(/[^\s)\"'>\]]*)?", re.IGNORECASE)
_ERROR_NAME = re.compile(r"\b([A-Z][A-Za-z]*(?:Error|Exception|Fault))\b")
_ERROR_CODE = re.compile(r"\b([A-Z][A-Z0-9]*_[A-Z0-9_]{2,})\b")  # ERR_BLOCKED_BY_CLIENT, ECONNRESET-like
_ERRNO = re.compile(r"\b(E[A-Z]{4,})\b")  # ECONNRESET, ETIMEDOUT
_HTTP_STATUS = re.compile(
    r"\b(?:http|status|error|code|returns?|returned|got|with|an?)\s*[:=]?\s*([45]\d\d)\b", re.IGNORECASE
)
# A status followed by its reason phrase: "504 Gateway Timeout", "401 Unauthorized".
_HTTP_REASON = re.compile(
    r"\b([45]\d\d)\s+(?:Bad|Unauthori[sz]ed|Forbidden|Not|Method|Request|Conflict|Gone|Payload|Unprocessable"
    r"|Too|Internal|Gateway|Service|Insufficient)\b"
)
_JS_FRAME = re.compile(r"\bat\s+([A-Za-z_$][\w$.<>]*)\s*\(")
_PY_FRAME = re.compile(r'File "([^"]+)", line \d+, in (\w+)')
_SOURCE_FILE = re.compile(r"\b([\w\-]+\.(?:js|mjs|ts|tsx|jsx|py|swift|kt|java|go|rb|php|dart))\b")
_IDENT = re.compile(r"(?<![\w$])(\$?[a-z]+(?:_[a-z0-9]+)+|\$?[a-z]+(?:[A-Z][a-z0-9]+)+|\$[a-z_]+)(?![\w])")
_QUOTED = re.compile(r"[\"`“]([^\"`”\n]{8,120})[\"`”]|(?<!\w)'([^'\n]{8,120})'(?!\w)")
_VERSION = re.compile(r"\b(v?\d+\.\d+(?:\.\d+)?)\b")


def _stem(word: str) -> str:
    """A light stemmer: enough to meet `recordings`/`recorded`, `upgrades`/`upgrading`."""
    if not word.isalpha():
        return word  # posthog-js, 2fa, s3: names, not inflected words
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def features(text: str) -> Counter[str]:
    """The features of a text with their counts: `w:` words, `s:` signals."""
    found: Counter[str] = Counter()
    for host, path in _URL.findall(text):
        host = host.lower().removeprefix("www.")
        found[f"s:host:{host}"] += 1
        segments = [s for s in (path or "").lower().split("/") if s and not s.isdigit()][:2]
        if segments:
            found[f"s:path:{host}/{'/'.join(segments)}"] += 1
    text_wo_urls = _URL.sub(" ", text)
    for pattern in (_ERROR_NAME, _ERROR_CODE, _ERRNO):
        for name in pattern.findall(text_wo_urls):
            found[f"s:err:{name.lower()}"] += 1
    for status in {*_HTTP_STATUS.findall(text_wo_urls), *_HTTP_REASON.findall(text_wo_urls)}:
        found[f"s:http:{status}"] += 1
    for name in _JS_FRAME.findall(text_wo_urls):
        found[f"s:frame:{name.lower()}"] += 1
    for path, function in _PY_FRAME.findall(text_wo_urls):
        found[f"s:frame:{function.lower()}"] += 1
        found[f"s:file:{path.rsplit('/', 1)[-1].lower()}"] += 1
    for name in _SOURCE_FILE.findall(text_wo_urls):
        found[f"s:file:{name.lower()}"] += 1
    for name in _IDENT.findall(text_wo_urls):
        found[f"s:id:{name.lower()}"] += 1
    for double, single in _QUOTED.findall(text_wo_urls):
        quoted = double or single
        words = [w for w in _WORD.findall(quoted.lower()) if w not in STOP]
        for first, second in itertools.pairwise(words):
            found[f"s:q:{first}_{second}"] += 1
    for version in _VERSION.findall(text_wo_urls):
        found[f"s:v:{version.lstrip('v')}"] += 1
    previous = ""
    for word in _WORD.findall(text_wo_urls.lower()):
        if word in STOP or len(word) < 2 or word.isdigit():
            previous = ""
            continue
        stem = _stem(word)
        found[f"w:{stem}"] += 1
        if previous:
            found[f"b:{previous}_{stem}"] += 1  # a phrase: "live events", "rollout percentage"
        previous = stem
    return found


def weight_of(feature: str) -> float:
    if feature.startswith("s:"):
        return SIGNAL_WEIGHT
    if feature.startswith("b:"):
        return PHRASE_WEIGHT
    return WORD_WEIGHT


@dataclass
class _Doc:
    tf: dict[str, float]  # feature -> (1 + log count) * kind weight
    norm: float
    norm_at: int  # the corpus size the norm was computed at


class TextIndex:
    """TF-IDF with cosine similarity over an inverted index; documents by integer id.

    A query reads the postings of its rarest features within a budget, then scores the
    best candidates on all their features, so its cost is bounded, not the corpus's.
    Norms depend on the idf, which drifts as documents arrive: a document's norm is
    recomputed when the corpus has grown or shrunk by a quarter since (cheap, and scores
    stay within a few percent meanwhile).
    """

    POSTINGS_BUDGET = 20_000  # postings read to find candidates, per query
    RESCORED = 200  # candidates scored on every feature

    def __init__(self) -> None:
        self._docs: dict[int, _Doc] = {}
        self._postings: dict[str, dict[int, float]] = {}

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._docs

    def add(self, doc_id: int, counts: Features) -> None:
        """Index (or re-index) one document from its feature counts."""
        if doc_id in self._docs:
            self.remove(doc_id)
        # Interned: a feature's string is kept once, not once per document (half the memory).
        tf = {sys.intern(f): (1.0 + math.log(c)) * weight_of(f) for f, c in counts.items() if c > 0}
        for feature, value in tf.items():
            self._postings.setdefault(feature, {})[doc_id] = value
        doc = _Doc(tf, 0.0, 0)
        self._docs[doc_id] = doc
        self._renorm(doc)

    def remove(self, doc_id: int) -> None:
        doc = self._docs.pop(doc_id, None)
        if doc is None:
            return
        for feature in doc.tf:
            posting = self._postings.get(feature)
            if posting is not None:
                posting.pop(doc_id, None)
                if not posting:
                    del self._postings[feature]

    def idf(self, feature: str) -> float:
        df = len(self._postings.get(feature, ()))
        return math.log((1 + len(self._docs)) / (1 + df)) + 1.0

    def _renorm(self, doc: _Doc) -> float:
        size = len(self._docs)
        if doc.norm_at and abs(size - doc.norm_at) * 4 <= doc.norm_at:
            return doc.norm
        idf = self.idf
        doc.norm = math.sqrt(sum((v * idf(f)) ** 2 for f, v in doc.tf.items())) or 1.0
        doc.norm_at = size
        return doc.norm

    def features_of(self, doc_id: int) -> dict[str, float] | None:
        doc = self._docs.get(doc_id)
        return dict(doc.tf) if doc else None

    def similar(
        self,
        counts: Features | None = None,
        *,
        doc_id: int | None = None,
        limit: int = 10,
        minimum: float = 0.0,
        accept: Callable[[int], bool] | None = None,
        shared: int = 1,
        known_only: bool = False,
        query_idf: Callable[[str], float] | None = None,
    ) -> list[tuple[int, float]]:
        """The documents most like a text's features (or an indexed document), by cosine,
        best first; the document itself is left out. `shared`: how many features a
        document must have in common with the query (one shared word is not a topic).
        `known_only`: the query's length counts only the features the corpus knows, for a
        small corpus of another kind (macros), where a long ticket's other words would
        otherwise dilute every score below any threshold. `query_idf`: how rare a feature
        is where the query comes from (tickets), for the query's side: a word common in
        tickets ("set", "flag") says little even when one macro happens to use it."""
        if doc_id is not None:
            doc = self._docs.get(doc_id)
            if doc is None:
                return []
            query = doc.tf
        else:
            query = {f: (1.0 + math.log(c)) * weight_of(f) for f, c in (counts or {}).items() if c > 0}
        if not query or not self._docs:
            return []
        idf = self.idf
        postings = self._postings
        qidf = query_idf or idf
        weighted = {f: v * qidf(f) for f, v in query.items() if not known_only or f in postings}
        qnorm = math.sqrt(sum(w * w for w in weighted.values())) or 1.0
        factors = {f: w * idf(f) for f, w in weighted.items() if f in postings}
        # Candidates from the rarest features first, within a budget of postings read: at
        # 100k tickets a topic's common words list thousands, and reading them all is what
        # made a cursor move slow. The best candidates are then scored on every feature.
        partial: dict[int, float] = {}
        get = partial.get
        budget = self.POSTINGS_BUDGET
        for feature in sorted(factors, key=lambda f: len(postings[f])):
            listed = postings[feature]
            if partial and len(listed) > budget:
                break
            budget -= len(listed)
            factor = factors[feature]
            for other, value in listed.items():
                partial[other] = get(other, 0.0) + factor * value
        if doc_id is not None:
            partial.pop(doc_id, None)
        if accept is not None:
            partial = {other: score for other, score in partial.items() if accept(other)}
        best = heapq.nlargest(max(self.RESCORED, limit * 4), partial, key=partial.__getitem__)
        ranked: list[tuple[int, float]] = []
        for other in best:
            doc = self._docs[other]
            common = factors.keys() & doc.tf.keys() if len(factors) < len(doc.tf) else doc.tf.keys() & factors.keys()
            if len(common) < shared:
                continue
            dot = sum(factors[f] * doc.tf[f] for f in common)
            score = dot / (qnorm * self._renorm(doc))
            if score >= minimum:
                ranked.append((other, score))
        ranked.sort(key=lambda pair: (-pair[1], pair[0]))
        return ranked[:limit]


def text_of(parts: Iterable[str | None]) -> str:
    return "\n".join(p for p in parts if p)
