"""For you: ranking quality on real arXiv and HF captures, and speed.

    pip install -e '.[bench]'        # scikit-learn, for the SVM baseline only
    python benchmarks/foryou.py      # quality table, then speed table

Quality: save N cs.CL-primary papers of the cs.CL mailing of 2026-08-17 (the rest of that
mailing is the "cache"), then rank the papers of the other captures (cs.CL 2026-08-21, cs.AI
2026-08-14 and -15, HF 2026-06-12); a paper is relevant when its primary category is cs.CL.
AUC and NDCG@10, averaged over DRAWS random choices of the N saved papers, for papercli's
model and two baselines on the same data: BM25 of the saved papers' text (papercli's own
BM25F, one query per saved paper, summed) and arxiv-sanity-lite's tf-idf + LinearSVC (saved
papers positive, every other paper negative, its vectoriser and C=0.02).

Speed: training on 500 saved papers, ranking 150,000, and `papers today` with and without
`--sort for-you` from a warm cache (medians of subprocess runs). Nothing asserts; it prints.
"""

from __future__ import annotations

import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
sys.path.insert(0, str(SRC))

from papercli.models import Paper  # noqa: E402
from papercli.query import foryou  # noqa: E402
from papercli.query.ranking import Corpus, Query  # noqa: E402
from papercli.sources.arxiv_rss import parse_rss  # noqa: E402
from papercli.sources.hf import parse_daily  # noqa: E402

CAPTURES = Path(os.environ.get("PAPERS_CAPTURES", "/work/shared/formats"))
TRAIN = "arxiv_rss_cs.CL_2026-08-17.xml"
TEST = [
    "arxiv_rss_cs.CL_2026-08-21.xml",
    "arxiv_rss_cs.AI_2026-08-15_saturday_with_items.xml",
    "arxiv_rss_cs.AI_2026-08-14_stale_repeat_of_08-13.xml",
]
HF = "hf_daily_papers_2026-06-12.json"
SIZES = (5, 10, 20)
DRAWS = 20
INTEREST = "cs.CL"


def load() -> tuple[list[Paper], list[Paper]]:
    train = list(parse_rss((CAPTURES / TRAIN).read_bytes()).papers)
    seen = {p.id for p in train}
    test: dict[str, Paper] = {}
    for name in TEST:
        for paper in parse_rss((CAPTURES / name).read_bytes()).papers:
            if paper.id not in seen:
                test.setdefault(paper.id, paper)
    for paper in parse_daily((CAPTURES / HF).read_bytes())[0]:
        if paper.id not in seen:
            test.setdefault(paper.id, paper)
    return train, list(test.values())


def auc(scores: list[float], labels: list[bool]) -> float:
    """Mann-Whitney AUC, ties counted half."""
    pairs = sorted(zip(scores, labels, strict=True))
    rank_sum, i, n = 0.0, 0, len(pairs)
    while i < n:
        j = i
        while j < n and pairs[j][0] == pairs[i][0]:
            j += 1
        mid = (i + j + 1) / 2  # average 1-based rank of the tie block
        rank_sum += mid * sum(1 for k in range(i, j) if pairs[k][1])
        i = j
    pos = sum(labels)
    neg = n - pos
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg)


def ndcg10(scores: list[float], labels: list[bool]) -> float:
    order = sorted(range(len(scores)), key=lambda k: -scores[k])[:10]
    dcg = sum(1 / math.log2(r + 2) for r, k in enumerate(order) if labels[k])
    ideal = sum(1 / math.log2(r + 2) for r in range(min(10, sum(labels))))
    return dcg / ideal


def ours(saved: list[Paper], rest: list[Paper], test: list[Paper]) -> list[float]:
    model = foryou.train(saved, [], rest + test)
    return [model.score(p) for p in test]


def bm25(saved: list[Paper], _rest: list[Paper], test: list[Paper]) -> list[float]:
    corpus = Corpus(test)
    queries = [Query.parse(f"{p.title} {p.abstract}") for p in saved]
    return [sum(corpus.score(i, q)[0] for q in queries) for i in range(len(test))]


def text(paper: Paper) -> str:
    return f"{paper.title} {paper.abstract} {' '.join(paper.authors)}"


def svm(saved: list[Paper], rest: list[Paper], test: list[Paper]) -> list[float]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    # arxiv-sanity-lite's compute.py settings (min_df lowered: this corpus is small).
    vectorizer = TfidfVectorizer(
        input="content", encoding="utf-8", decode_error="replace", strip_accents="unicode",
        lowercase=True, analyzer="word", stop_words="english",
        token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b", ngram_range=(1, 2),
        max_features=20000, norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=True,
        max_df=0.1, min_df=1,
    )  # fmt: skip
    everything = saved + rest + test
    x = vectorizer.fit_transform([text(p) for p in everything])
    y = [1] * len(saved) + [0] * (len(rest) + len(test))
    classifier = LinearSVC(class_weight="balanced", max_iter=10000, tol=1e-6, C=0.02)
    classifier.fit(x, y)
    return list(classifier.decision_function(x[len(saved) + len(rest) :]))


def quality() -> None:
    train, test = load()
    labels = [p.primary_category == INTEREST for p in test]
    interest = [p for p in train if p.primary_category == INTEREST]
    print(
        f"train mailing: {len(train)} papers ({len(interest)} {INTEREST}-primary); "
        f"ranked: {len(test)} papers of other captures, {sum(labels)} {INTEREST}-primary; "
        f"{DRAWS} draws per N"
    )
    methods = {"papercli For you": ours, "BM25 of saved text": bm25, "tf-idf + LinearSVC": svm}
    print(f"{'method':<22}" + "".join(f"  N={n:<2} AUC  NDCG@10" for n in SIZES))
    for name, method in methods.items():
        cells = []
        for size in SIZES:
            aucs, ndcgs = [], []
            for draw in range(DRAWS):
                saved = random.Random(draw).sample(interest, size)
                chosen = {p.id for p in saved}
                rest = [p for p in train if p.id not in chosen]
                scores = method(saved, rest, test)
                aucs.append(auc(scores, labels))
                ndcgs.append(ndcg10(scores, labels))
            cells.append(f"  {statistics.mean(aucs):8.3f} {statistics.mean(ndcgs):8.3f}")
        print(f"{name:<22}" + "".join(cells), flush=True)


def many(papers: list[Paper], count: int) -> list[Paper]:
    """``count`` distinct papers made from the real ones (new ids, same text)."""
    return [
        replace(papers[n % len(papers)], id=f"26{1 + n // 99999 % 12:02d}.{n % 99999 + 1:05d}")
        for n in range(count)
    ]


def speed() -> None:
    train, test = load()
    pool = train + test
    saved = many(pool, 500)
    background = many(list(reversed(pool)), 3000)
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        model = foryou.train(saved, [], background)
        timings.append(time.perf_counter() - start)
    print(f"train on 500 saved + 3,000 background papers: {statistics.median(timings):.3f} s")
    big = many(pool, 150_000)
    start = time.perf_counter()
    model.rank(big)
    took = time.perf_counter() - start
    print(f"rank 150,000 papers by their text (tokenising each): {took:.3f} s")
    cached_rank(pool)
    cli_speed(train)  # the real cs.CL mailing
    cli_speed(pool[:600])  # a listing the size of a cs.LG day, from every capture


def cached_rank(pool: list[Paper]) -> None:
    """Rank 150,000 cached papers as `papers list --sort for-you` does: the model and the
    index warm, the papers' term bags stored in the index by an earlier ranking."""
    from datetime import date, timedelta

    from papercli.config import load_settings
    from papercli.core import foryou as core_foryou
    from papercli.core.session import Session
    from papercli.store import library
    from papercli.store.cache import Listing, Store

    home = Path(tempfile.mkdtemp(prefix="papercli-foryou-150k-"))
    now = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    store = Store(home)
    papers = many(pool, 150_000)
    day = date(2026, 1, 1)
    for start in range(0, len(papers), 600):  # 250 mailings of 600 papers
        chunk = tuple(replace(p, listed=day.isoformat()) for p in papers[start : start + 600])
        store.write_listing(Listing("arxiv", day, chunk, now, category="cs.CL", complete=True))
        day += timedelta(days=1)
    library.add(store, papers[:20], [], now)
    settings = load_settings(
        environ={"PAPERS_HOME": str(home), "PAPERS_CONFIG": str(home / "none.toml")}
    )
    session = Session.create(settings, offline=True, now=lambda: now)
    start = time.perf_counter()
    index = session.index()
    cached = index.papers(date(2026, 1, 1), day, hf=False, categories=["cs.CL"])
    print(f"  (index built and {len(cached):,} papers read in {time.perf_counter() - start:.1f} s)")
    core_foryou.rank(session, cached[:1000])  # trains and stores the model
    for label in ("first ranking (computes and stores the term bags)", "ranking 150,000"):
        start = time.perf_counter()
        ranking = core_foryou.rank(session, cached)
        took = time.perf_counter() - start
        print(f"{label}: {took:.3f} s" + ("   target < 1 s" if "first" not in label else ""))
    assert len(ranking.papers) == len(cached)
    session.close()


def cli_speed(train: list[Paper]) -> None:
    """`papers today` vs `papers today --sort for-you` over a listing of ``train``, warm
    cache and model."""
    from papercli.store import library
    from papercli.store.cache import Listing, Store

    home = Path(tempfile.mkdtemp(prefix="papercli-foryou-"))
    now = datetime(2026, 8, 17, 23, 0, tzinfo=UTC)
    day = now.date()
    store = Store(home)
    listed = tuple(replace(p, listed=day.isoformat()) for p in train)
    store.write_listing(Listing("arxiv", day, listed, now, category="cs.CL", complete=True))
    library.add(store, [p for p in train if p.primary_category == INTEREST][:20], [], now)
    # As users run it: with bytecode caches (this environment may turn them off).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERS_", "PYTHONDONT"))}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(SRC)], check=False)
    env.update(
        PAPERS_HOME=str(home), PAPERS_CONFIG=str(home / "none.toml"),
        PAPERS_NOW=now.isoformat(), PAPERS_HF_URL="http://127.0.0.1:9",
        PAPERS_ARXIV_RSS_URL="http://127.0.0.1:9", PAPERS_ARXIV_API_URL="http://127.0.0.1:9",
    )  # fmt: skip
    papers = str(Path(sys.executable).with_name("papers"))
    base = [papers, "today", "--offline", "--source", "arxiv", "-c", "cs.CL", "-f", "plain"]
    commands = {"papers today": base, "papers today --sort for-you": [*base, "--sort", "for-you"]}
    runs: dict[str, list[float]] = {label: [] for label in commands}
    for args in commands.values():
        subprocess.run(args, env=env, capture_output=True, check=False)  # warm: cache, model
    for _ in range(31):  # interleaved, so a change in the machine's load hits both alike
        for label, args in commands.items():
            start = time.perf_counter()
            done = subprocess.run(args, env=env, capture_output=True, check=False)
            runs[label].append(time.perf_counter() - start)
            if done.returncode:
                print(f"  ! {label} exited {done.returncode}: {done.stderr.decode()[:200]}")
    results = {label: statistics.median(times) for label, times in runs.items()}
    for label, median in results.items():
        print(f"{label} ({len(train)} papers, warm): {median * 1000:.0f} ms median of 31")
    extra = (results["papers today --sort for-you"] - results["papers today"]) * 1000
    print(f"--sort for-you costs {extra:+.0f} ms   target <= +20 ms")


if __name__ == "__main__":
    quality()
    print()
    speed()
