#!/usr/bin/env python3
"""Builds cases.csv: the labelled screening evaluation set.

List-derived cases are drawn (fixed seed) from the 2019-2021 sample lists in legacy_lists/ (the
lists bundled before the 2026 ones in ../lists/) and varied the
way real customer data varies: exact names, aliases, typos, word order, legal-form variants,
joined/split words and dropped tokens. handwritten.csv adds transliterations (Cyrillic and
Chinese characters for listed Russian and Chinese parties) and hard negatives (real companies
and people that are not listed). Re-run after changing either input:
    python3 data/screening_eval/generate.py
"""
import csv, hashlib, random, re, os, xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
LISTS = os.path.join(HERE, "legacy_lists")
rng = random.Random(20260301)

def rows(name, **kw):
    with open(os.path.join(LISTS, name), newline="", encoding="utf-8", errors="replace") as f:
        return list(csv.reader(f, **kw))

sdn = [r for r in rows("sdn.csv") if len(r) > 3]
alt = [r for r in rows("alt.csv") if len(r) > 3]
add = {}
for r in rows("add.csv"):
    if len(r) > 4 and r[4].strip() not in ("-0-", ""):
        add.setdefault(r[0], r[4].strip())
ISO = {r[1].lower(): r[0] for r in rows(os.path.join("..", "..", "iso3166.csv"))[1:]}
ISO.update({"russia": "RU", "burma": "MM", "korea, north": "KP", "syria": "SY", "iran": "IR"})

def words(s):
    return re.findall(r"[A-Za-z0-9]+", s)

LEGAL = {"LTD", "LIMITED", "CO", "COMPANY", "LLC", "INC", "CORP", "CORPORATION", "SA", "S", "A",
         "JSC", "OAO", "OOO", "ZAO", "PJSC", "GMBH", "AG", "PLC", "DE", "CV", "SRL", "BV"}

# Legal-form words and stopwords are not name words to join.
JOINERS = {"OPEN", "CLOSED", "JOINT", "STOCK", "PUBLIC", "DEL", "DE", "LA", "EL", "OF", "THE", "AND"}
entities = [r for r in sdn if r[2].strip() == "-0-" and len(words(r[1])) >= 2]
people = [r for r in sdn if r[2].strip() == "individual" and "," in r[1] and len(words(r[1])) >= 2]
vessels = set(r[0] for r in sdn if r[2].strip() in ("vessel", "aircraft"))
# Names listed under two ent_nums are ambiguous labels: leave them out.
count = {}
for r in sdn:
    count[r[1].strip().upper()] = count.get(r[1].strip().upper(), 0) + 1
entities = [r for r in entities if count[r[1].strip().upper()] == 1]
people = [r for r in people if count[r[1].strip().upper()] == 1]
cases = []
used = set()

def pick(pool, n):
    out = []
    while len(out) < n:
        r = rng.choice(pool)
        if r[0] not in used:
            used.add(r[0])
            out.append(r)
    return out

def typo(w):
    i = rng.randrange(1, len(w) - 1)
    op = rng.choice(["sub", "del", "swap", "dup"])
    if op == "sub":
        c = rng.choice("aeiourstnl".replace(w[i].lower(), ""))
        return w[:i] + c.upper() + w[i + 1:]
    if op == "del":
        return w[:i] + w[i + 1:]
    if op == "swap":
        return w[:i] + w[i + 1] + w[i] + w[i + 2:]
    return w[:i] + w[i] + w[i:]

def person_natural(name):
    last, first = [x.strip() for x in name.split(",", 1)]
    return f"{first} {last}"

for r in pick(entities, 45):
    cases.append((r[1], "", r[0], "exact"))
for r in pick(people, 25):
    cases.append((r[1], "", r[0], "exact_person"))
# Aliases (aka/fka/nka) of entities not already used.
alts = [a for a in alt if a[0] not in vessels and len(words(a[3])) >= 2 and a[0] not in used]
for a in rng.sample(alts, 45):
    used.add(a[0])
    cases.append((a[3], "", a[0], "alias"))
for r in pick(entities, 35):
    ws = r[1].split()
    cand = [i for i, w in enumerate(ws) if len(re.sub(r"\W", "", w)) >= 6]
    if not cand:
        continue
    i = rng.choice(cand)
    ws[i] = typo(ws[i])
    cases.append((" ".join(ws), "", r[0], "typo"))
for r in pick(people, 25):
    nat = person_natural(r[1]).split()
    cand = [i for i, w in enumerate(nat) if len(w) >= 6]
    if cand:
        i = rng.choice(cand)
        nat[i] = typo(nat[i])
    cases.append((" ".join(nat), "", r[0], "typo_person"))
for r in pick(people, 30):
    cases.append((person_natural(r[1]), "", r[0], "word_order"))
legal_swaps = [
    (r"\bCO\.?,? LTD\.?", "Company Limited"), (r"\bCOMPANY LIMITED\b", "Co., Ltd."),
    (r"\bLIMITED\b", "Ltd"), (r"\bLTD\b\.?", "Limited"), (r"\bLLC\b", "Limited Liability Company"),
    (r"\bJSC\b", "Joint Stock Company"), (r"\bJOINT STOCK COMPANY\b", "JSC"),
    (r"\bOOO\b", "LLC"), (r"\bOAO\b", "OJSC"), (r"\bINC\.?", "Incorporated"),
    (r"\bCORPORATION\b", "Corp."), (r"\bS\.A\.", "SA"),
]
legal_pool = [r for r in entities if any(re.search(p, r[1]) for p, _ in legal_swaps)]
for r in pick(legal_pool, 40):
    name = r[1]
    for p, s in legal_swaps:
        if re.search(p, name):
            name = re.sub(p, s, name, count=1)
            break
    if rng.random() < 0.3:
        name = name.title()
    cases.append((name, "", r[0], "legal_form"))
# Joined or split words.
for r in pick([e for e in entities if sum(1 for w in words(e[1]) if len(w) >= 4) >= 2], 20):
    ws = words(r[1])
    i = next((i for i in range(len(ws) - 1) if len(ws[i]) >= 3 and len(ws[i + 1]) >= 3 and ws[i].upper() not in LEGAL | JOINERS and ws[i + 1].upper() not in LEGAL | JOINERS), None)
    if i is None:
        continue
    q = ws[:i] + [ws[i] + ws[i + 1]] + ws[i + 2:]
    cases.append((" ".join(q), "", r[0], "joined_words"))
# A dropped legal form or generic word (customer masters often abbreviate).
for r in pick([e for e in entities if len(words(e[1])) >= 3 and words(e[1])[-1].upper() in LEGAL], 20):
    ws = r[1].split()
    while ws and re.sub(r"\W", "", ws[-1]).upper() in LEGAL:
        ws.pop()
    cases.append((" ".join(ws).rstrip(","), "", r[0], "missing_legal_form"))
# Country as supporting evidence on a typo'd name.
for r in pick([e for e in entities if e[0] in add and add[e[0]].lower() in ISO], 20):
    ws = r[1].split()
    cand = [i for i, w in enumerate(ws) if len(w) >= 7]
    if cand:
        i = rng.choice(cand)
        ws[i] = typo(ws[i])
    cases.append((" ".join(ws), ISO[add[r[0]].lower()], r[0], "typo_with_country"))
# UN consolidated list entries (by reference number).
tree = ET.parse(os.path.join(LISTS, "UN_consolidated.xml"))
un = []
for e in tree.getroot().iter("ENTITY"):
    n = (e.findtext("FIRST_NAME") or "").strip()
    ref = (e.findtext("REFERENCE_NUMBER") or "").strip()
    if n and ref and len(words(n)) >= 2:
        un.append((n, ref))
for n, ref in rng.sample(un, 15):
    cases.append((n, "", ref, "un_exact"))
# CSL sample rows (Entity List and others, many without entity_number).
csl = list(csv.DictReader(open(os.path.join(LISTS, "csl.csv"), encoding="utf-8")))
el = [r for r in csl if r["source"].startswith("Entity List") and len(words(r["name"])) >= 2]
for r in rng.sample(el, 10):
    # No entity_number: the id is the stable hash of list and name (see model::stable_id).
    h = hashlib.sha256(b"Entity List\0" + r["name"].strip().upper().encode()).hexdigest()[:16]
    cases.append((r["name"].strip(), "", "h-" + h, "csl_entity_list"))

with open(os.path.join(HERE, "handwritten.csv"), encoding="utf-8") as f:
    hand = list(csv.DictReader(f))
with open(os.path.join(HERE, "cases.csv"), "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["query", "country", "expected_id", "kind"])
    for c in cases:
        w.writerow(c)
    for h in hand:
        w.writerow([h["query"], h["country"], h["expected_id"], h["kind"]])
print(len(cases) + len(hand), "cases")
