#!/usr/bin/env python3
"""Builds variants.csv: real spelling variants of listed names, each screened against a screener
that does not hold the query's own spelling.

Three sources, all from the lists or from published name tables, never from tollgate:

(i) cross-list pairs. The same person or company on the UN consolidated list and on OFAC's SDN
    list, linked by something other than the name: a passport / national ID number both give
    (unique on both sides); or the same full date of birth with the same nationality or a
    matching sanctions programme (unique on both sides); or, for companies, the same street
    address (unique on both sides) and a matching programme. The query is one authority's
    spelling, the expected entity the other authority's entry, and the screener is built
    without the query's own list (`exclude_lists`). Pairs where the query's words already are a
    name on a list left in the screener are dropped (not a variant).
(ii) held-out aliases. Entries (SDN, UN, Entity List) with an alias that is a spelling variant
    of another of their names (every word close to a word of the other name, not all equal:
    transliteration differences, not translations). The alias is removed from the entry
    before the screener is built (`holdout_alias`; the harness removes it, compared upper-case
    and trimmed, from every entry of that list with the expected id or the same primary name),
    and the query is that alias. Aliases that are a name of any other entry are not used.
(iii) published variant tables:
    - `arabic-name-romanizer` 0.2.0 (UNICEF, MIT; PyPI): its names.sqlite3 holds Latin spellings
      of Arabic-script name units attested in Wikidata and Algerian registers, with country.
      A listed Arabic or Persian name's given/family names are looked up by their spelling,
      and one or two are replaced by another attested spelling of the same Arabic unit
      (Persian spellings for Iranian and Afghan entries).
    - `iuliia` 0.13 (PyPI): Russian transliteration schemas (ICAO Doc 9303 passports, MVD 782,
      GOST 7.79, Wikipedia, BGN/PCGN ...) applied to the UN list's Cyrillic original-script names.
    - `pypinyin` 0.55 (PyPI): its pinyin -> Wade-Giles syllable table, applied to listed Chinese
      people's pinyin names (Taiwan / Hong Kong / older spellings, "Zhang Xiaoming" ->
      "Chang Hsiao-ming").

Category per row: name_parts (one name's words all among the other's: extra / missing given
names, father's names), abbreviation (differences only in shortened or expanded words:
SHPG/SHIPPING, CO/COMPANY, an acronym in brackets), arabic_translit, persian_translit,
russian_translit, chinese_translit (by the entry's countries / programme), other.

Columns: query,country,expected_id,expected_list,expected_name,category,source,exclude_lists,
holdout_alias (exclude_lists: list names, '|'-separated, whose entries are left out of the
screener).
"""
import difflib
import os
import random
import re
import sqlite3
import sys
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lists2026 as L  # noqa: E402

SEED = 20261012
HEADER = ["query", "country", "expected_id", "expected_list", "expected_name", "category", "source",
          "exclude_lists", "holdout_alias"]

UN_PROGRAMS = {
    "Al-Qaida": r"SDGT|FTO", "Taliban": r"SDGT|TALIBAN", "DPRK": r"DPRK|NPWMD", "Iran": r"IRAN|NPWMD|IFSR|IRGC",
    "Iraq": r"IRAQ", "DRC": r"DRCONGO", "Libya": r"LIBYA", "Somalia": r"SOMALIA|SDGT", "CAR": r"CAR",
    "Haiti": r"HAITI|TCO|GLOMAG", "Yemen": r"YEMEN|SDGT", "Sudan": r"SUDAN|DARFUR", "SouthSudan": r"SOUTH SUDAN",
    "GB": r"GUINEA|GB", "Mali": r"MALI",
}
ABBREV = {
    "shpg": "shipping", "co": "company", "ltd": "limited", "corp": "corporation", "intl": "international",
    "inc": "incorporated", "mfg": "manufacturing", "tech": "technology", "ind": "industries",
    "inds": "industries", "grp": "group", "hldgs": "holdings", "assn": "association", "dept": "department",
    "natl": "national", "bros": "brothers", "mgmt": "management", "svcs": "services", "univ": "university",
    "inst": "institute", "acad": "academy", "sci": "science", "elec": "electronic", "eng": "engineering",
    "info": "information", "tel": "telecommunications", "st": "saint", "jsc": "joint stock company",
    "llc": "limited liability company", "ojsc": "open joint stock company", "pjsc": "public joint stock company",
}
ABBREV_WORDS = set(ABBREV) | {w for v in ABBREV.values() for w in v.split()} | {
    "technologies", "industry", "industrial", "corporation", "limited", "company", "co", "the", "of", "and",
    "electronics", "communication", "communications", "services", "service", "trading", "s", "a", "l", "sa",
    "plc", "gmbh", "ag", "fze", "fzco", "pvt", "private", "pte", "llp", "oao", "ooo", "zao", "pao", "ao", "cjsc"}


def programme_ok(un, sdn):
    pat = UN_PROGRAMS.get(un.program)
    return bool(pat and re.search(pat, sdn.program))


def acronym_of(tok, words):
    ini = "".join(w[0] for w in words if w and w not in ("of", "and", "the", "for"))
    return len(tok) >= 2 and tok in (ini, "".join(w[0] for w in words if w))


def classify(query, ref, origin):
    q, r = L.tokens(query), L.tokens(ref)
    qs, rs = set(q), set(r)
    dq, dr = qs - rs, rs - qs
    if not dq and not dr:
        return "other"
    diff = dq | dr
    if all(t in ABBREV_WORDS or acronym_of(t, r) or acronym_of(t, q) for t in diff) and (
            any(t in ABBREV or acronym_of(t, r) or acronym_of(t, q) for t in diff)):
        return "abbreviation"
    if not dq or not dr:
        return "name_parts"
    if origin in ("arabic", "persian", "russian", "chinese"):
        return origin + "_translit"
    return "other"


def sim(a, b):
    return difflib.SequenceMatcher(None, a, b).ratio()


def spelling_variant(a, b):
    """Every word of a close to a word of b (and back), at least one pair not equal."""
    ta, tb = L.core_tokens(a), L.core_tokens(b)
    if not ta or not tb or sorted(ta) == sorted(tb):
        return False
    if abs(len(ta) - len(tb)) > 1:
        return False

    def cover(x, y):
        scores = [max(sim(t, u) for u in y) for t in x]
        return scores

    sa, sb = cover(ta, tb), cover(tb, ta)
    if min(sa) < 0.6 and len(ta) >= len(tb) or min(sb) < 0.6 and len(tb) >= len(ta):
        return False
    inexact = [s for s in sa if s < 1.0]
    return bool(inexact) and sum(sa) / len(sa) >= 0.75 and sum(sb) / len(sb) >= 0.7


def main():
    rng = random.Random(SEED)
    lists = L.load_all(with_csl=True)
    csl = lists.pop("CSL 2022")
    csl_canon = {"CSL:Specially Designated Nationals": L.SDN, "CSL:Entity List": L.EL,
                 "CSL:Denied Persons List": L.DPL, "CSL:Military End User": L.MEU,
                 "CSL:Non-SDN Chinese Military-Industrial Complex Companies List": L.CMIC}
    every = [e for ents in lists.values() for e in ents] + csl

    def canon(e):
        return csl_canon.get(e.list, e.list)

    # key -> set of (canonical list, id) holding that name
    holders = defaultdict(set)
    for e in every:
        for n in e.names():
            holders[L.key(n)].add((canon(e), e.id))
    rows = []
    used = set()

    def exact_elsewhere(q, excluded):
        return any(lst not in excluded for lst, _ in holders.get(L.key(q), ()))

    def add(q, e, cat, src, exclude="", holdout=""):
        k = (L.key(q), e.list, e.id)
        if k in used or not q.strip():
            return False
        used.add(k)
        rows.append([q, "", e.id, e.list, e.name, cat, src, exclude, holdout])
        return True

    sdn = lists[L.SDN]
    un = lists[L.UN]

    # ---- (i) UN <-> SDN links ----
    links = {}
    doc_s, doc_u = defaultdict(set), defaultdict(set)
    for e in sdn:
        for d in e.docs:
            doc_s[d].add(e.id)
    for e in un:
        for d in e.docs:
            doc_u[d].add(e.id)
    sdn_by = {e.id: e for e in sdn}
    un_by = {e.id: e for e in un}
    for d in set(doc_s) & set(doc_u):
        if len(doc_s[d]) == 1 and len(doc_u[d]) == 1:
            u, s = next(iter(doc_u[d])), next(iter(doc_s[d]))
            links.setdefault((u, s), f"document number {d}")
    dob_s = defaultdict(set)
    for e in sdn:
        if e.kind == "individual":
            for d in e.dobs:
                dob_s[d].add(e.id)
    cand_u = defaultdict(set)
    for u in un:
        if u.kind != "individual":
            continue
        for d in u.dobs:
            for sid in dob_s.get(d, ()):
                s = sdn_by[sid]
                nat = {x.lower() for x in u.nats} & ({x.lower() for x in s.nats} | {x.lower() for x in s.countries})
                if nat and programme_ok(u, s):
                    cand_u[u.id].add(sid)
    rev = defaultdict(set)
    for uid, ss in cand_u.items():
        for s in ss:
            rev[s].add(uid)
    for uid, ss in cand_u.items():
        if len(ss) == 1:
            sid = next(iter(ss))
            if len(rev[sid]) == 1:
                links.setdefault((uid, sid), "date of birth and nationality/programme")
    street = lambda a: re.sub(r"[^a-z0-9]", "", L.fold(a.split(",")[0]))  # noqa: E731
    addr_s, addr_u = defaultdict(set), defaultdict(set)
    for e in sdn:
        if e.kind == "entity":
            for a in e.addresses:
                st = street(a)
                if len(st) >= 10 and re.search(r"\d", st) and not st.startswith(("pobox", "postbox", "pob")):
                    addr_s[st].add(e.id)
    for e in un:
        if e.kind == "entity":
            for a in e.addresses:
                st = street(a)
                if len(st) >= 10 and re.search(r"\d", st) and not st.startswith(("pobox", "postbox", "pob")):
                    addr_u[st].add(e.id)
    for st in set(addr_s) & set(addr_u):
        if len(addr_s[st]) == 1 and len(addr_u[st]) == 1:
            u, s = next(iter(addr_u[st])), next(iter(addr_s[st]))
            if programme_ok(un_by[u], sdn_by[s]):
                links.setdefault((u, s), "street address " + st)
    n_cross = 0

    def plausible(u, s):
        # A link by date of birth or address can join two different people who happen to share
        # it: keep a pair only if some word of one name is close to some word of the other.
        tu = {t for n in u.names() for t in L.core_tokens(n) if len(t) >= 3}
        ts = {t for n in s.names() for t in L.core_tokens(n) if len(t) >= 3}
        return any(sim(a, b) >= 0.75 for a in tu for b in ts)

    for (uid, sid), how in sorted(links.items()):
        u, s = un_by[uid], sdn_by[sid]
        if not plausible(u, s):
            continue
        org = L.origin(u) if L.origin(u) != "other" else L.origin(s)
        q1 = u.name
        if not exact_elsewhere(q1, {L.UN}):
            ref = max(s.names(), key=lambda n: len(set(L.tokens(n)) & set(L.tokens(q1))))
            n_cross += add(q1, s, classify(q1, ref, org),
                           f"UN spelling of SDN entry (UN {uid}; linked by {how})", L.UN)
        q2 = L.natural_order(s.name, s.kind)
        if not exact_elsewhere(q2, {L.SDN}):
            ref = max(u.names(), key=lambda n: len(set(L.tokens(n)) & set(L.tokens(q2))))
            n_cross += add(q2, u, classify(q2, ref, org),
                           f"OFAC spelling of UN entry (SDN {sid}; linked by {how})", L.SDN)
    print(f"UN-SDN links: {len(links)} ({Counter(h.split(' ')[0] for h in links.values())}), rows {n_cross}")

    # ---- (ii) held-out aliases ----
    by_primary = defaultdict(set)
    for x in every:
        by_primary[(canon(x), L.key(x.name))].add((canon(x), x.id))
    cands, abbr_cands = [], []
    for lst in (L.SDN, L.UN, L.EL):
        for e in lists[lst]:
            names = e.names()
            if len(names) < 2:
                continue
            for a, weak in e.aliases:
                if weak or not a.isascii() or len(a) < 5:
                    continue
                others = [n for n in names if n != a]
                if any(L.key(n) == L.key(a) for n in others):
                    continue
                refs = [n for n in others if spelling_variant(a, n)]
                abbr = [n for n in others if classify(a, n, "other") == "abbreviation"]
                if not refs and not abbr:
                    continue
                # the alias must be no other entry's name (copies of this entry aside)
                copies = {(lst, e.id)} | by_primary.get((lst, L.key(e.name)), set())
                if holders.get(L.key(a), set()) - copies:
                    continue
                if refs:
                    cands.append((e, a, refs[0]))
                else:
                    abbr_cands.append((e, a, abbr[0]))
    by_entity = defaultdict(list)
    for e, a, r in cands:
        by_entity[(e.list, e.id)].append((e, a, r))
    picked = [rng.choice(v) for k, v in sorted(by_entity.items())]
    rng.shuffle(picked)
    per_bucket = Counter()
    caps = {"arabic": 90, "persian": 70, "russian": 90, "chinese": 60, "other": 60}
    n_hold = 0
    for e, a, r in picked:
        org = L.origin(e)
        if per_bucket[(e.list == L.EL, org)] >= caps[org] // (2 if e.list == L.EL else 1):
            continue
        q = L.natural_order(a, e.kind)
        ref = L.natural_order(r, e.kind)
        if add(q, e, classify(q, ref, org), f"{e.list} alias held out (variant of '{r}')", "", a):
            per_bucket[(e.list == L.EL, org)] += 1
            n_hold += 1
    abbr_cands.sort(key=lambda x: (x[0].list, x[0].id, x[1]))
    rng.shuffle(abbr_cands)
    n_abbr = 0
    for e, a, r in abbr_cands:
        if n_abbr >= 80:
            break
        q = L.natural_order(a, e.kind)
        if add(q, e, "abbreviation", f"{e.list} alias held out (abbreviated / expanded form of '{r}')", "", a):
            n_abbr += 1
            n_hold += 1
    print(f"held-out aliases: {len(cands)} candidates on {len(by_entity)} entries, {n_hold} rows")

    # ---- (iii) published tables ----
    # arabic-name-romanizer: Latin spellings of Arabic name units
    import importlib.resources as ir
    db = sqlite3.connect(str(ir.files("arabic_name_romanizer") / "resources" / "names.sqlite3"))
    spell = defaultdict(Counter)  # arabic unit -> Counter((latin, persian?))
    by_latin = defaultdict(Counter)  # latin lower -> Counter(arabic unit)
    for key, latin, country, count in db.execute("select arabic_key, latin, country, count from units"):
        if not latin or not latin.replace(" ", "").replace("-", "").isalpha() or not latin.isascii():
            continue
        spell[key][(latin, country in ("IR", "AF", "TJ"))] += count
        by_latin[latin.lower()][key] += count

    def alt_spelling(tok, persian):
        units = by_latin.get(tok.lower())
        if not units:
            return None
        unit, c = units.most_common(1)[0]
        if c < 3:
            return None
        opts = Counter()
        for (latin, is_fa), n in spell[unit].items():
            if n >= 3 and latin.lower() != tok.lower() and (is_fa == persian or not persian):
                opts[latin] += n
        if not opts:
            return None
        choices = sorted(opts.items())
        tot = sum(n for _, n in choices)
        x = rng.random() * tot
        for latin, n in choices:
            x -= n
            if x <= 0:
                return latin
        return choices[-1][0]

    pool = [e for e in sdn + un if e.kind == "individual" and L.origin(e) in ("arabic", "persian")]
    pool.sort(key=lambda e: (e.list, e.id))
    rng.shuffle(pool)
    n_tab = Counter()
    for e in pool:
        org = L.origin(e)
        if n_tab[org] >= 80:
            continue
        base = L.natural_order(e.name, e.kind)
        words = base.split()
        idx = [i for i, w in enumerate(words) if w.isalpha() and len(w) >= 3]
        rng.shuffle(idx)
        changed = 0
        for i in idx:
            w = words[i]
            alt = alt_spelling(w, org == "persian")
            if alt:
                words[i] = alt.upper() if w.isupper() else alt
                changed += 1
            if changed == 2:
                break
        if not changed:
            continue
        q = " ".join(words)
        if L.key(q) in holders:
            continue
        if add(q, e, f"{org}_translit",
               "arabic-name-romanizer 0.2.0 names.sqlite3: another attested spelling of the same "
               f"{'Persian' if org == 'persian' else 'Arabic'} name unit"):
            n_tab[org] += 1

    # iuliia: UN Cyrillic originals under Russian transliteration schemas
    import iuliia
    schemas = [iuliia.ICAO_DOC_9303, iuliia.MVD_782, iuliia.GOST_779, iuliia.WIKIPEDIA, iuliia.BGN_PCGN,
               iuliia.SCIENTIFIC, iuliia.TELEGRAM, iuliia.YANDEX_MAPS]
    for e in un:
        if not e.orig or not re.search("[\u0400-\u04ff]", e.orig):
            continue
        for sch in schemas:
            q = sch.translate(e.orig)
            if L.key(q) in holders:
                continue
            if add(q, e, "russian_translit", f"iuliia {sch.name} of the UN original-script name"):
                n_tab["russian"] += 1

    # pypinyin: Wade-Giles spelling of listed Chinese people's pinyin names
    from pypinyin.style import wadegiles as wg
    table = {p: w.replace("'", "") for p, w in wg._convert_table}
    table["tie"] = "tieh"  # pypinyin 0.55 has "t'oeh", a slip: Wade-Giles is t'ieh

    def segment(tok):
        t = tok.lower()
        best = {0: []}
        for i in range(1, len(t) + 1):
            for j in range(max(0, i - 6), i):
                if j in best and t[j:i] in table:
                    cand = best[j] + [t[j:i]]
                    if i not in best or len(cand) < len(best[i]):
                        best[i] = cand
        return best.get(len(t))

    def to_wg(name):
        out = []
        for w in re.split(r"[\s\-]+", name):
            if not w:
                continue
            seg = segment(re.sub(r"[^A-Za-z]", "", w))
            if not seg:
                return None
            wgs = [table[s] for s in seg]
            x = "-".join([wgs[0].capitalize()] + wgs[1:])
            out.append(x.upper() if w.isupper() and len(w) > 1 else x)
        return " ".join(out)

    cn_people = [e for e in sdn + lists[L.EL] if L.origin(e) == "chinese" and
                 (e.kind == "individual" or (e.list == L.EL and len(L.tokens(e.name)) in (2, 3)
                                             and not (set(L.tokens(e.name)) & L.LEGAL)))]
    cn_people.sort(key=lambda e: (e.list, e.id))
    for e in cn_people:
        base = L.natural_order(e.name, e.kind)
        q = to_wg(base)
        if not q or L.key(q) in holders or L.key(q) == L.key(base):
            continue
        if add(q, e, "chinese_translit", "pypinyin 0.55 Wade-Giles syllable table applied to the listed pinyin"):
            n_tab["chinese"] += 1
    print(f"published tables: {dict(n_tab)}")

    out = os.path.join(L.HERE, "variants.csv")
    L.write_csv(out, HEADER, rows)
    print(f"{out}: {len(rows)} rows")
    for k, v in sorted(Counter(r[5] for r in rows).items()):
        print(f"  {k:<18} {v}")
    print("  by source:", dict(Counter(r[6].split(" ")[0] if "alias" not in r[6] else "held-out" for r in rows)))


if __name__ == "__main__":
    main()
