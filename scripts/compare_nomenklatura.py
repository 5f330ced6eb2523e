#!/usr/bin/env python3
"""The issue-10 evaluation (data/screening_eval/{evasion,variants,negatives}.csv) run through
OpenSanctions' matcher: nomenklatura's LogicV2 ("logic-v2", the algorithm yente uses), on the
same list data tollgate bundles, with the same screeners per case (bundled; without the
query's own list; held-out aliases removed) and the same counting as
crates/tollgate-screen/examples/eval.rs.

Set up (a venv outside the repository; versions pinned in scripts/requirements-nomenklatura.txt):
    python3 -m venv target/nk-venv
    target/nk-venv/bin/pip install -r scripts/requirements-nomenklatura.txt
    target/nk-venv/bin/python scripts/compare_nomenklatura.py [--sample N] [--misses]

How a query is answered (what yente does, approximated without Elasticsearch):
  1. Candidates. yente asks Elasticsearch for entities whose indexed names share (fuzzy)
     terms with the query and scores only those. Here: names are folded to ASCII with
     normality.ascii_text (ICU "Any-Latin; Latin-ASCII", as yente's analyzers fold), split into
     tokens, and indexed; a query token retrieves names holding the same token (weight: idf) or
     a token sharing >= 50 % of its character trigrams (weight: idf x trigram Jaccard, tokens of
     4+ letters: ES fuzziness). Entities are ranked by the summed best weight of each query
     token, and the top CANDIDATES (30) are scored.
  2. Scoring. Each candidate is compared with LogicV2.compare(query, candidate,
     LogicV2.default_config()): the query is a FollowTheMoney entity of the candidate's schema
     (LogicV2 scores a LegalEntity query against a Person or Organization as 0, so this is the
     query a user who states the party's type would send) with the case's name (and country
     when the case gives one); list entries are Person / Organization / Vessel /
     Airplane / LegalEntity (when the list does not say) with name, alias, weakAlias (OFAC fka,
     UN low-quality aliases) and country.
  3. A hit is a candidate scoring >= 0.70, yente's default match threshold (SCORE_THRESHOLD in
     yente/settings.py); the sweep shows other thresholds.

Speed is one process, one query at a time, retrieval + scoring (the ES round trip of a real
yente is not included).
"""
import argparse
import csv
import math
import os
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(REPO, "data", "screening_eval"))
import lists2026 as L  # noqa: E402

from followthemoney import model  # noqa: E402
from nomenklatura.matching import LogicV2  # noqa: E402
from normality import ascii_text  # noqa: E402

THRESHOLD = 0.70
CANDIDATES = 30
SETS = ["evasion", "variants", "negatives"]
SWEEP = [0.60, 0.65, 0.70, 0.72, 0.74, 0.76, 0.78, 0.80, 0.82, 0.85, 0.90, 0.95]
CSL_CANON = {
    "CSL:Specially Designated Nationals": L.SDN, "CSL:Entity List": L.EL, "CSL:Denied Persons List": L.DPL,
    "CSL:Military End User": L.MEU, "CSL:Non-SDN Chinese Military-Industrial Complex Companies List": L.CMIC,
}


def norm(s):
    """As `norm` in examples/eval.rs: NFKD, marks dropped, upper case, words joined by spaces."""
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)).upper()
    return " ".join(w for w in re.split(r"[^\w]|_", s) if w)


def universe():
    """The bundled lists as tollgate builds them: the CSL's SDN rows merged into sdn.csv's."""
    lists = L.load_all(with_csl=True)
    csl = lists.pop("CSL 2022")
    ents = [e for es in lists.values() for e in es]
    by_key = {(e.list, e.id): e for e in ents}
    for e in csl:
        lst = CSL_CANON.get(e.list, e.list.replace("CSL:", ""))
        e.list = lst
        if (lst, e.id) in by_key:
            m = by_key[(lst, e.id)]
            for a in e.aliases:
                if a not in m.aliases:
                    m.aliases.append(a)
            continue
        by_key[(lst, e.id)] = e
        ents.append(e)
    return ents


SCHEMA = {"individual": "Person", "entity": "Organization", "vessel": "Vessel", "aircraft": "Airplane"}


def proxy(e, drop_alias=None):
    p = model.make_entity(SCHEMA.get(e.kind, "LegalEntity"))
    p.id = f"{e.list}:{e.id}"
    p.add("name", e.name, quiet=True)
    for a, weak in e.aliases:
        if drop_alias and a.strip().upper() in drop_alias:
            continue
        p.add("weakAlias" if weak else "alias", a, quiet=True)
    for c in e.countries:
        p.add("country", c, quiet=True, fuzzy=True)
    return p


def toks(s):
    return [t for t in re.split(r"[^a-z0-9]+", (ascii_text(s) or "").lower()) if t]


def trigrams(t):
    t = f"_{t}_"
    return {t[i:i + 3] for i in range(len(t) - 2)}


class Index:
    def __init__(self, ents, proxies):
        self.ents, self.proxies = ents, proxies
        self.post = defaultdict(set)
        for i, p in enumerate(proxies):
            for n in p.get("name") + p.get("alias", quiet=True) + p.get("weakAlias", quiet=True):
                for t in set(toks(n)):
                    self.post[t].add(i)
        n = len(proxies)
        self.idf = {t: math.log(1 + n / len(ids)) for t, ids in self.post.items()}
        self.tri = defaultdict(list)
        for t in self.post:
            if len(t) >= 4:
                for g in trigrams(t):
                    self.tri[g].append(t)

    def candidates(self, q):
        score = defaultdict(float)
        for t in set(toks(q)):
            best = {}
            if t in self.post:
                w = self.idf[t]
                for i in self.post[t]:
                    best[i] = w
            if len(t) >= 4:
                g = trigrams(t)
                shared = Counter()
                for x in g:
                    for v in self.tri.get(x, ()):
                        shared[v] += 1
                for v, s in shared.items():
                    if v == t:
                        continue
                    j = s / (len(g) + len(trigrams(v)) - s)
                    if j >= 0.5:
                        w = self.idf[v] * j
                        for i in self.post[v]:
                            if w > best.get(i, 0.0):
                                best[i] = w
            for i, w in best.items():
                score[i] += w
        top = sorted(score.items(), key=lambda x: -x[1])[:CANDIDATES]
        return [i for i, _ in top]


def load_cases(set_):
    out = []
    with open(os.path.join(REPO, "data", "screening_eval", f"{set_}.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            exp = []
            if r["expected_id"] or r["expected_name"]:
                ids, lsts, names = (r[k].split("|") for k in ("expected_id", "expected_list", "expected_name"))
                for i in range(max(len(ids), len(names))):
                    exp.append((ids[i] if i < len(ids) else "", lsts[i] if i < len(lsts) else "",
                                norm(names[i] if i < len(names) else "")))
            excl = tuple(sorted(x for x in (r.get("exclude_lists") or "").split("|") if x))
            hold = (r.get("holdout_alias") or "").strip()
            out.append(dict(set=set_, query=r["query"], country=r["country"], expected=exp,
                            category=r["category"], which=("held" if hold else excl or "bundled"), hold=hold))
    return out


def build(ents, cases):
    needed = {c["which"] for c in cases}
    holds = defaultdict(set)  # (list, id) or (list, norm name) -> aliases
    for c in cases:
        if c["hold"]:
            i, lst, n = c["expected"][0]
            holds[(lst, "id", i)].add(c["hold"].upper())
            holds[(lst, "name", n)].add(c["hold"].upper())
    out = {}
    for w in needed:
        if w == "bundled":
            sel = [(e, None) for e in ents]
        elif w == "held":
            sel = [(e, holds.get((e.list, "id", e.id), set()) | holds.get((e.list, "name", norm(e.name)), set()))
                   for e in ents]
        else:
            sel = [(e, None) for e in ents if e.list not in w]
        es = [e for e, _ in sel]
        out[w] = Index(es, [proxy(e, d) for e, d in sel])
    return out


def make_query(c, schema):
    """The query as an entity of the candidate's schema (LogicV2 does not compare a LegalEntity
    query with a Person or Organization: as if the user had said which it is)."""
    q = model.make_entity(schema)
    # nomenklatura caches a name analysis per entity id (lru_cache on Entity.__hash__): every
    # query needs its own id.
    q.id = f"query-{c['n']}-{schema}"
    q.add("name", c["query"], quiet=True)
    if c["country"]:
        q.add("country", c["country"], quiet=True, fuzzy=True)
    return q


def accepted(c, e):
    return any(e.list == lst and ((i and e.id == i) or norm(e.name) == n) for i, lst, n in c["expected"])


def outcome(c, hits, t):
    found = any(a and s >= t for a, s in hits)
    anyh = any(s >= t for _, s in hits)
    if c["expected"]:
        return (1, 0, 0, 0) if found else (0, 0, 1, 0) if not anyh else (0, 1, 1, 0)
    return (0, 1, 0, 0) if anyh else (0, 0, 0, 1)


def tally(cases, hits, t):
    m = defaultdict(lambda: [0, 0, 0, 0, 0])
    for c, h in zip(cases, hits):
        o = outcome(c, h, t)
        for k in ((c["set"], c["category"]), (c["set"], "ALL"), ("ALL", "ALL")):
            m[k][0] += 1
            for j in range(4):
                m[k][j + 1] += o[j]
    return m


def prec(x):
    return 1.0 if x[1] + x[2] == 0 else x[1] / (x[1] + x[2])


def rec(x):
    return float("nan") if x[1] + x[3] == 0 else x[1] / (x[1] + x[3])


def f3(x):
    return "-" if x != x else f"{x:.3f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", type=int, default=0, help="every Nth case only")
    ap.add_argument("--misses", action="store_true")
    args = ap.parse_args()
    t0 = time.time()
    cases = [c for s in SETS for c in load_cases(s)]
    if args.sample > 1:
        cases = cases[:: args.sample]
    for n, c in enumerate(cases):
        c["n"] = n
    ents = universe()
    idx = build(ents, cases)
    print(f"nomenklatura {__import__('nomenklatura').__version__ if hasattr(__import__('nomenklatura'), '__version__') else ''}"
          f" LogicV2: {len(cases)} cases, {len(ents)} entries, {len(idx)} indexes built in {time.time() - t0:.1f} s")
    config = LogicV2.default_config()
    hits, lat = [], []
    start = time.time()
    for c in cases:
        ix = idx[c["which"]]
        t1 = time.perf_counter()
        queries = {}
        h = []
        for i in ix.candidates(c["query"]):
            cand = ix.proxies[i]
            q = queries.get(cand.schema.name)
            if q is None:
                q = queries[cand.schema.name] = make_query(c, cand.schema.name)
            s = LogicV2.compare(q, cand, config).score
            if s >= SWEEP[0]:
                h.append((accepted(c, ix.ents[i]), s, ix.ents[i].name))
        lat.append((time.perf_counter() - t1) * 1e3)
        hits.append([(a, s) for a, s, _ in h])
        if args.misses:
            o = outcome(c, hits[-1], THRESHOLD)
            if o[1] or o[2]:
                print(f"  miss: {c['set']:<9} {c['category']:<20} {c['query'][:60]:<60} "
                      f"expected {c['expected'][0][2][:30] if c['expected'] else '(none)':<30} "
                      f"hits {[(n[:30], round(s, 3), a) for a, s, n in sorted(h, key=lambda x: -x[1])[:2]]}")
    total = time.time() - start
    m = tally(cases, hits, THRESHOLD)
    print(f"nomenklatura logic-v2 at yente's default threshold {THRESHOLD}:")
    print(f"  {'set':<10} {'category':<22} {'cases':>6} {'tp':>6} {'fp':>6} {'fn':>6} {'precision':>9} {'recall':>7}")
    order = {s: i for i, s in enumerate(SETS)}
    for k in sorted(m, key=lambda k: (order.get(k[0], 9), k[1] == "ALL", k[1])):
        x = m[k]
        print(f"  {k[0]:<10} {k[1]:<22} {x[0]:>6} {x[1]:>6} {x[2]:>6} {x[3]:>6} {f3(prec(x)):>9} {f3(rec(x)):>7}")
    print("threshold sweep (evasion recall / variants recall / precision over all):")
    for t in SWEEP:
        mm = tally(cases, hits, t)
        mark = "   <- yente default" if abs(t - THRESHOLD) < 1e-9 else ""
        print(f"  {t:.2f}: {f3(rec(mm[('evasion', 'ALL')]))} / {f3(rec(mm[('variants', 'ALL')]))} / "
              f"{f3(prec(mm[('ALL', 'ALL')]))}{mark}")
    lat.sort()
    pct = lambda p: lat[round((len(lat) - 1) * p)]  # noqa: E731
    print(f"speed (one process, retrieval + LogicV2 scoring of {CANDIDATES} candidates): "
          f"{len(cases) / total:.1f} queries/s, p50 {pct(0.5):.2f} ms, p99 {pct(0.99):.2f} ms")


if __name__ == "__main__":
    main()
