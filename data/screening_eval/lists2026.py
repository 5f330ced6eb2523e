"""Reads the 2026 list snapshot (shared/data/lists-2026, see its README) and the bundled UN
consolidated XML into one plain model, for the evaluation generators in this folder
(gen_evasion.py, gen_variants.py, gen_negatives.py). Nothing here looks at tollgate's code or
output: cases are built from the lists themselves.

Where the lists are: $TOLLGATE_LISTS_2026 (a folder with the snapshot's file names), else the
repository's bundle, data/lists/, which holds the same files byte for byte under the names
`tollgate lists import` gives them (data/lists/README.md maps the two). The UN XML is
data/lists/UN_consolidated.xml.

Ids follow the loaders: OFAC ent_num for SDN, the UN reference number for the UN list, and for
lists without ids (the eCFR JSON lists, NS-CMIC) "h-" + the first 8 bytes (hex) of
SHA-256(list_name + "\\0" + name.strip().upper()), as `stable_id` in
crates/tollgate-screen/src/model.rs.
"""
import csv
import glob
import gzip
import hashlib
import io
import json
import os
import re
import unicodedata
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))


# Snapshot file name -> the bundled copy's name in data/lists/ (same bytes: data/lists/SHA256SUMS).
BUNDLED_NAMES = {
    "ofac_sdn_2023-01.csv": "sdn.csv",
    "ofac_alt_2025-12.csv": "alt.csv",
    "ofac_add_2025-12.csv": "add.csv",
    "ofac_sdn_comments_2025-12.csv": "sdn_comments.csv",
    "bis_entity_list_ecfr_2026-07-09.json": "entity_list.json",
    "bis_meu_ecfr_2026-07-09.json": "meu.json",
    "bis_dpl_2026-04-14.json": "dpl.json",
    "ofac_nscmic_2026-07.json": "nscmic.json",
    "dod_1260h_2026-06-10.json": "1260h.json",
    "bis_mieu_2022-03.csv": "mieu.csv",
    "csl_consolidated_2022-04-21.csv.gz": "csl.csv.gz",
}


def lists_dir():
    d = os.environ.get("TOLLGATE_LISTS_2026", "")
    if d and os.path.isdir(d):
        return os.path.normpath(d)
    return os.path.join(REPO, "data", "lists")


def _file(d, snapshot_name):
    """The snapshot's file in `d`, else its bundled copy in data/lists/."""
    p = os.path.join(d, snapshot_name)
    if os.path.exists(p):
        return p
    return os.path.join(REPO, "data", "lists", BUNDLED_NAMES[snapshot_name])


UN_XML = next((p for p in (os.path.join(REPO, "data", "lists", "UN_consolidated.xml"),
                           os.path.join(HERE, "legacy_lists", "UN_consolidated.xml")) if os.path.exists(p)),
              os.path.join(REPO, "data", "lists", "UN_consolidated.xml"))

# Canonical list names (as the loaders name them: crates/tollgate-screen/src/model.rs).
SDN = "SDN"
UN = "UN Consolidated"
EL = "Entity List"
MEU = "Military End User List"
DPL = "Denied Persons List"
CMIC = "Non-SDN Chinese Military-Industrial Complex Companies List"
DOD = "DoD 1260H List"
MIEU = "Military Intelligence End User List"


def stable_id(list_name, name):
    h = hashlib.sha256((list_name + "\0" + name.strip().upper()).encode("utf-8")).digest()
    return "h-" + h[:8].hex()


class Ent:
    """One listed party: list, id, primary name, aliases, kind, countries and evidence."""

    __slots__ = (
        "list", "id", "name", "aliases", "kind", "countries", "program", "remarks",
        "dobs", "docs", "nats", "addresses", "orig",
    )

    def __init__(self, lst, id_, name):
        self.list, self.id, self.name = lst, id_, name
        self.aliases = []  # (name, weak)
        self.kind = ""
        self.countries = []
        self.program = ""
        self.remarks = ""
        self.dobs = []  # ISO dates "YYYY-MM-DD"
        self.docs = []  # normalised document numbers
        self.nats = []  # nationality / citizenship country names, lower-case
        self.addresses = []
        self.orig = ""  # name in original script (UN)

    def names(self):
        return [self.name] + [a for a, _ in self.aliases]

    def __repr__(self):
        return f"Ent({self.list!r}, {self.id!r}, {self.name!r})"


def _csv_rows(path):
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        return [r for r in csv.reader(f)]


def _clean(s):
    s = (s or "").strip()
    return "" if s in ("-0-", "-0- ") else s


MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}


def doc_number(s):
    """A document number compared across lists: upper-case letters and digits only."""
    s = re.sub(r"[^A-Za-z0-9]", "", s or "").upper()
    return s if len(s) >= 6 and sum(c.isdigit() for c in s) >= 4 else ""


def load_sdn(d):
    ents = {}
    for r in _csv_rows(_file(d, "ofac_sdn_2023-01.csv")):
        if len(r) < 12 or not r[0].strip().isdigit():
            continue
        kind = _clean(r[2]).lower()
        e = Ent(SDN, r[0].strip(), r[1].strip())
        e.kind = kind if kind in ("individual", "vessel", "aircraft") else "entity"
        e.program = r[3].strip()
        e.remarks = _clean(r[11])
        ents[e.id] = e
    for r in _csv_rows(_file(d, "ofac_sdn_comments_2025-12.csv")):
        if len(r) >= 2 and r[0] in ents:
            ents[r[0]].remarks += " " + r[1]
    for r in _csv_rows(_file(d, "ofac_alt_2025-12.csv")):
        if len(r) >= 4 and r[0].strip().isdigit() and _clean(r[3]):
            if r[0] not in ents:
                # An alias of an entry newer than the 2023 sdn.csv: the entry is listed all the
                # same (tollgate keeps such rows as entries of their own), first alias as name.
                e = Ent(SDN, r[0].strip(), r[3].strip())
                e.kind = ""
                ents[r[0]] = e
                continue
            ents[r[0]].aliases.append((r[3].strip(), r[2].strip().lower() == "fka"))
    for r in _csv_rows(_file(d, "ofac_add_2025-12.csv")):
        if len(r) >= 5 and r[0] in ents:
            e = ents[r[0]]
            c = _clean(r[4])
            if c:
                e.countries.append(c)
            addr = ", ".join(x for x in (_clean(r[2]), _clean(r[3]), c) if x)
            if addr:
                e.addresses.append(addr)
    for e in ents.values():
        rm = e.remarks
        for m in re.finditer(r"DOB (\d{1,2}) ([A-Za-z]{3}) (\d{4})", rm):
            e.dobs.append(f"{m.group(3)}-{MONTHS.get(m.group(2).lower(), 0):02d}-{int(m.group(1)):02d}")
        for part in rm.split(";"):
            p = part.strip()
            if re.search(r"passport|national id|identification|id no|cedula|tazkira|id card|"
                         r"personal id|registration id|curp|rfc|nit #|dni|c\.u\.i\.t", p, re.I):
                for tok in re.findall(r"\b[A-Z]*\d[A-Z0-9\-/]*", p):
                    n = doc_number(tok)
                    if n:
                        e.docs.append(n)
            m = re.match(r"(?:alt\. )?(?:nationality|citizen) (.+?)$", p, re.I)
            if m:
                e.nats.append(m.group(1).strip().rstrip(".").lower())
    return list(ents.values())


def load_un(path=UN_XML):
    root = ET.parse(path).getroot()
    out = []
    for rec in root.iter():
        if rec.tag not in ("INDIVIDUAL", "ENTITY"):
            continue
        parts = [(rec.findtext(t) or "").strip() for t in
                 ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
        name = " ".join(p for p in parts if p)
        ref = (rec.findtext("REFERENCE_NUMBER") or "").strip() or (rec.findtext("DATAID") or "")
        if not name:
            continue
        e = Ent(UN, ref, name)
        e.kind = "individual" if rec.tag == "INDIVIDUAL" else "entity"
        e.program = (rec.findtext("UN_LIST_TYPE") or "").strip()
        e.remarks = (rec.findtext("COMMENTS1") or "").strip()
        for a in rec.findall(rec.tag + "_ALIAS"):
            an = (a.findtext("ALIAS_NAME") or "").strip()
            if an:
                e.aliases.append((an, (a.findtext("QUALITY") or "").strip() == "Low"))
        e.orig = (rec.findtext("NAME_ORIGINAL_SCRIPT") or "").strip()
        for n in rec.findall("NATIONALITY/VALUE"):
            if (n.text or "").strip():
                e.nats.append(n.text.strip().lower())
                e.countries.append(n.text.strip())
        for dob in rec.findall("INDIVIDUAL_DATE_OF_BIRTH"):
            dt = (dob.findtext("DATE") or "").strip()
            if re.match(r"\d{4}-\d{2}-\d{2}", dt):
                e.dobs.append(dt[:10])
        for doc in rec.findall("INDIVIDUAL_DOCUMENT"):
            n = doc_number(doc.findtext("NUMBER") or "")
            if n:
                e.docs.append(n)
        for a in rec.findall(rec.tag + "_ADDRESS"):
            bits = [(a.findtext(t) or "").strip() for t in ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY")]
            if any(bits):
                e.addresses.append(", ".join(b for b in bits if b))
            c = (a.findtext("COUNTRY") or "").strip()
            if c:
                e.countries.append(c)
        out.append(e)
    return out


def load_ecfr(path, list_name):
    data = json.load(open(path, encoding="utf-8"))
    out = []
    for x in data["entities"]:
        name = (x.get("name") or "").strip()
        if not name:
            continue
        e = Ent(list_name, stable_id(list_name, name), name)
        e.aliases = [(a.strip(), False) for a in (x.get("aliases") or []) if a and a.strip()]
        if x.get("country"):
            e.countries.append(x["country"])
        if x.get("address"):
            e.addresses.append(x["address"])
        e.remarks = x.get("notes") or ""
        out.append(e)
    return out


def load_mieu(path):
    out = []
    for r in _csv_rows(path)[1:]:
        if len(r) < 4 or not r[1].strip():
            continue
        e = Ent(MIEU, stable_id(MIEU, r[1]), r[1].strip())
        e.aliases = [(a.strip(), False) for a in r[2].split(";") if a.strip()]
        e.countries = [r[3]]
        out.append(e)
    return out


def load_csl(path):
    """The 2022 CSL: every source list, for the checks only (never an expected entity)."""
    out = []
    with gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="") as f:
        for r in csv.DictReader(f):
            name = (r.get("name") or "").strip()
            if not name:
                continue
            src = r.get("source") or ""
            e = Ent("CSL:" + src.split(" (")[0], r.get("entity_number") or r.get("_id") or "", name)
            e.aliases = [(a.strip(), False) for a in (r.get("alt_names") or "").split(";") if a.strip()]
            e.kind = (r.get("type") or "").lower()
            out.append(e)
    return out


def load_all(with_csl=True):
    """Every list this evaluation knows: {list name: [Ent]}."""
    d = lists_dir()
    out = {
        SDN: load_sdn(d),
        UN: load_un(),
        EL: load_ecfr(_file(d, "bis_entity_list_ecfr_2026-07-09.json"), EL),
        MEU: load_ecfr(_file(d, "bis_meu_ecfr_2026-07-09.json"), MEU),
        DPL: load_ecfr(_file(d, "bis_dpl_2026-04-14.json"), DPL),
        CMIC: load_ecfr(_file(d, "ofac_nscmic_2026-07.json"), CMIC),
        DOD: load_ecfr(_file(d, "dod_1260h_2026-06-10.json"), DOD),
        MIEU: load_mieu(_file(d, "bis_mieu_2022-03.csv")),
    }
    if with_csl:
        out["CSL 2022"] = load_csl(_file(d, "csl_consolidated_2022-04-21.csv.gz"))
    return out


def legacy_names():
    """Names in the repository's older list files (sdn.csv, alt.csv, csl.csv, dpl.txt), kept in
    data/screening_eval/legacy_lists/ (data/lists/ before the 2026 bundle)."""
    d = os.path.join(HERE, "legacy_lists")
    if not os.path.isdir(d):
        d = os.path.join(REPO, "data", "lists")
    names = []
    for f, col in (("sdn.csv", 1), ("alt.csv", 3)):
        p = os.path.join(d, f)
        if os.path.exists(p):
            names += [r[col] for r in _csv_rows(p) if len(r) > col]
    p = os.path.join(d, "csl.csv")
    if os.path.exists(p):
        for r in csv.DictReader(open(p, encoding="utf-8", errors="replace")):
            names.append(r.get("name") or "")
            names += (r.get("alt_names") or "").split(";")
    p = os.path.join(d, "dpl.txt")
    if os.path.exists(p):
        for r in csv.reader(open(p, encoding="utf-8", errors="replace"), delimiter="\t"):
            if r:
                names.append(r[0])
    return [n.strip() for n in names if n and n.strip()]


# ---- normalisation used by the checks (independent of tollgate) ----

LEGAL = set("""co company companies corp corporation inc incorporated ltd limited llc plc sa s a ag
gmbh bv nv srl sarl spa jsc ojsc pjsc cjsc oao ooo zao pao ao fze fzco fzc fz llp lp pte pvt private
group holding holdings the of and de del la el al""".split())


def fold(s):
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.casefold()


def tokens(s):
    return re.findall(r"[^\W_]+", fold(s))


def key(s):
    """Order-free token key."""
    return " ".join(sorted(tokens(s)))


def core_tokens(s):
    return [t for t in tokens(s) if t not in LEGAL]


def skeleton(tok):
    """A spelling key for the negatives check: transliteration variants of one word meet
    (kh/h, q/k, c/k, z/s, w/v, y/i, ou/u, ee/i, ph/f, doubled letters), vowels kept."""
    t = tok
    for a, b in (("kh", "h"), ("ph", "f"), ("ck", "k"), ("dh", "d"), ("th", "t"), ("ou", "u"),
                 ("oo", "u"), ("ee", "i"), ("q", "k"), ("w", "v"), ("y", "i"), ("z", "s"),
                 ("j", "i"), ("x", "ks")):
        t = t.replace(a, b)
    t = re.sub(r"c(?!h)", "k", t)
    return re.sub(r"(.)\1+", r"\1", t)


def is_cjk(s):
    return any("\u4e00" <= c <= "\u9fff" for c in s)


def natural_order(name, kind):
    """OFAC writes people 'LAST, First Middle': customers write 'First Middle LAST'."""
    if kind == "individual" and name.count(",") == 1:
        last, first = [x.strip() for x in name.split(",", 1)]
        if first and last:
            return f"{first} {last}"
    return name


ARABIC_COUNTRIES = {
    "iraq", "syria", "lebanon", "jordan", "saudi arabia", "yemen", "egypt", "libya", "tunisia",
    "algeria", "morocco", "sudan", "kuwait", "qatar", "bahrain", "oman", "united arab emirates",
    "palestinian", "west bank", "gaza", "mauritania", "somalia",
}
PERSIAN_COUNTRIES = {"iran", "afghanistan", "tajikistan"}
RUSSIAN_COUNTRIES = {"russia", "russian federation", "belarus", "ukraine", "kazakhstan",
                     "crimea region of ukraine", "kyrgyzstan", "uzbekistan", "armenia",
                     "moldova", "georgia", "azerbaijan"}
CHINESE_COUNTRIES = {"china", "hong kong", "taiwan", "macau", "macao"}
ARABIC_PROGRAMS = re.compile(r"SDGT|FTO|IRAQ|SYRIA|LIBYA|YEMEN|LEBANON|HIZBALLAH|SUDAN|Al-Qaida|Iraq|Libya|Yemen")
PERSIAN_PROGRAMS = re.compile(r"IRAN|IRGC|IFSR|Taliban|Iran|HRIT")
RUSSIAN_PROGRAMS = re.compile(r"RUSSIA|UKRAINE|BELARUS|CYBER|MAGNIT|CAATSA")


def origin(e):
    """Language family of an entity's names from its countries, nationalities and programme."""
    cs = {c.lower() for c in e.countries + e.nats}
    cs = {("palestinian" if "palestin" in c else c) for c in cs}
    if cs & PERSIAN_COUNTRIES:
        return "persian"
    if cs & ARABIC_COUNTRIES:
        return "arabic"
    if cs & RUSSIAN_COUNTRIES:
        return "russian"
    if cs & CHINESE_COUNTRIES:
        return "chinese"
    p = e.program
    if PERSIAN_PROGRAMS.search(p):
        return "persian"
    if ARABIC_PROGRAMS.search(p):
        return "arabic"
    if RUSSIAN_PROGRAMS.search(p):
        return "russian"
    return "other"


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow(r)


def sha256_file(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()
