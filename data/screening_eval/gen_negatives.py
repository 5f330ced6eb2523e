#!/usr/bin/env python3
"""Builds negatives.csv: real parties that are NOT listed but whose names share words with
listed ones (hard negatives). A screener that hits on any of them is wrong.

Categories:
  cn_company       large, well-known Chinese companies and universities that are on none of the
                   lists (Lenovo, Xiaomi, JD.com, Tsinghua University, ...), country CN/HK
  company_generic  well-known companies elsewhere whose names share generic words with listed
                   ones ("National Bank of Kuwait", "Taiwan Semiconductor Manufacturing Company",
                   "Emirates Shipping Line", ...)
  arabic_person    common Arabic given name + family name
  persian_person   common Persian given name + family name
  russian_person   common Russian given name (+ patronymic) + surname
  chinese_person   two-syllable Chinese names ("Wang Wei"): listed Chinese people have longer
                   names

Every candidate is checked against every name and alias of every file in lists-2026 (and the
2022 CSL in it, all its source lists), the UN XML and the older files in data/lists/, and left
out when it could be a listed party: the same words in any order; the same words once legal
forms ("Co", "Ltd", "Group", ...) are dropped; the same words under a crude spelling skeleton
(vowels dropped, k/q/c, s/z, ... merged); one name's words all inside the other's (a listed
name inside the candidate, or a candidate that is part of a listed name, e.g. "Sergey Ivanov"
for "Sergey Borisovich IVANOV"). What is left shares words with listed names but is not one.

People's names are common combinations (seeded draw), i.e. real people's names, not any
particular person.
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lists2026 as L  # noqa: E402

SEED = 20261011
HEADER = ["query", "country", "expected_id", "expected_list", "expected_name", "category", "source"]

CN_COMPANIES = """Lenovo Group Limited|Xiaomi Corporation|JD.com, Inc.|Meituan|NetEase, Inc.|PDD Holdings Inc.
Trip.com Group Limited|Kuaishou Technology|Geely Automobile Holdings Limited|Great Wall Motor Company Limited
SAIC Motor Corporation Limited|NIO Inc.|XPeng Inc.|Li Auto Inc.|Haier Smart Home Co., Ltd.|Midea Group Co., Ltd.
Gree Electric Appliances, Inc. of Zhuhai|TCL Technology Group Corporation|Anta Sports Products Limited
Li Ning Company Limited|China Merchants Bank Co., Ltd.|Ping An Insurance (Group) Company of China, Ltd.
Industrial and Commercial Bank of China Limited|Bank of China Limited|China Construction Bank Corporation
Agricultural Bank of China Limited|Bank of Communications Co., Ltd.|China Life Insurance Company Limited
Kweichow Moutai Co., Ltd.|Wuliangye Yibin Co., Ltd.|Tsingtao Brewery Company Limited
Inner Mongolia Yili Industrial Group Co., Ltd.|China Mengniu Dairy Company Limited|Fosun International Limited
Wanhua Chemical Group Co., Ltd.|Shenzhen Mindray Bio-Medical Electronics Co., Ltd.|Luxshare Precision Industry Co., Ltd.
Sunny Optical Technology (Group) Company Limited|AAC Technologies Holdings Inc.|Goertek Inc.
Anker Innovations Technology Co., Ltd.|Bilibili Inc.|iQIYI, Inc.|Weibo Corporation|Zhejiang University
Tsinghua University|Peking University|Fudan University|Wuhan University|Sun Yat-sen University|Nanjing University
Xiamen University|Shandong University|Jiangsu Hengrui Pharmaceuticals Co., Ltd.|Yutong Bus Co., Ltd.
Sany Heavy Industry Co., Ltd.|Zoomlion Heavy Industry Science and Technology Co., Ltd.|XCMG Construction Machinery Co., Ltd.
China Southern Airlines Company Limited|Hainan Airlines Holding Co., Ltd.|Spring Airlines Co., Ltd.
China Vanke Co., Ltd.|Country Garden Holdings Company Limited|Longfor Group Holdings Limited
Haidilao International Holding Ltd.|Luckin Coffee Inc.|Nongfu Spring Co., Ltd.|Pop Mart International Group Limited
Yadea Group Holdings Ltd.|Ecovacs Robotics Co., Ltd.|Beijing Roborock Technology Co., Ltd.|Dreame Technology
Tuya Inc.|Anjoy Foods Group Co., Ltd.|Shenzhen Inovance Technology Co., Ltd.|Hangzhou Tigermed Consulting Co., Ltd.
Shanghai Pharmaceuticals Holding Co., Ltd.|Yunnan Baiyao Group Co., Ltd.|Chongqing Changan Automobile Company Limited
Guangzhou Automobile Group Co., Ltd.|Dongfeng Motor Group Company Limited|Zijin Mining Group Co., Ltd.
China Shenhua Energy Company Limited|Shenzhen Transsion Holdings Co., Ltd.|Vivo Mobile Communication Co., Ltd.
Guangdong Oppo Mobile Telecommunications Corp., Ltd.|Realme Chongqing Mobile Telecommunications Corp., Ltd.
Shenzhen Goodix Technology Co., Ltd.|Will Semiconductor Co., Ltd.|GigaDevice Semiconductor Inc.
Montage Technology Co., Ltd.|StarPower Semiconductor Ltd.|Hangzhou Silan Microelectronics Co., Ltd.
Shenzhen Huaqiang Industry Co., Ltd.|Shanghai Fosun Pharmaceutical (Group) Co., Ltd.|Zhongsheng Group Holdings Limited
Shenzhou International Group Holdings Limited|Weichai Power Co., Ltd.|Foshan Haitian Flavouring and Food Company Ltd.
Hong Kong Exchanges and Clearing Limited|Cathay Pacific Airways Limited|CK Hutchison Holdings Limited
Swire Pacific Limited|Sun Hung Kai Properties Limited|Hang Seng Bank Limited|MTR Corporation Limited
Lee Kum Kee Company Limited|Techtronic Industries Company Limited|Wharf (Holdings) Limited""".replace("\n", "|").split("|")

GENERIC_COMPANIES = """National Bank of Kuwait|Qatar National Bank|Emirates NBD Bank|First Abu Dhabi Bank|Bank Audi|Arab Bank
Saudi Arabian Oil Company|Abu Dhabi National Oil Company|Kuwait Petroleum Corporation|Gulf Air|Emirates Airline
Etihad Airways|Qatar Airways|Turkish Airlines|Pakistan International Airlines|Oil and Gas Development Company Limited
Pakistan State Oil|Tata Steel Limited|Infosys Limited|Reliance Industries Limited|Mahindra & Mahindra Limited
Hyundai Heavy Industries|Samsung Electronics Co., Ltd.|LG Electronics Inc.|Mitsubishi Heavy Industries, Ltd.
Kawasaki Heavy Industries, Ltd.|Toshiba Corporation|Siemens Energy AG|General Electric Company
International Business Machines Corporation|Orient Overseas Container Line|Mediterranean Shipping Company
Maersk Line|Hapag-Lloyd AG|Evergreen Marine Corporation|Yang Ming Marine Transport Corporation
Golden Ocean Group Limited|Star Bulk Carriers Corp.|Pacific Basin Shipping Limited|Precision Castparts Corp.
Advanced Micro Devices, Inc.|Applied Materials, Inc.|Lam Research Corporation|Tokyo Electron Limited
ASML Holding N.V.|Taiwan Semiconductor Manufacturing Company Limited|United Microelectronics Corporation
MediaTek Inc.|Nanya Technology Corporation|Winbond Electronics Corporation|Micron Technology, Inc.|SK Hynix Inc.
Novatek Microelectronics Corp.|Realtek Semiconductor Corp.|Lockheed Martin Corporation|The Boeing Company
Airbus SE|Embraer S.A.|Bombardier Inc.|Rolls-Royce Holdings plc|Safran S.A.|Thales S.A.|Leonardo S.p.A.
Eastern Bank Limited|National Commercial Bank Jamaica|Commercial Bank of Ceylon|Bank Muscat|Bank Dhofar
Kuwait Finance House|Dubai Islamic Bank|Abu Dhabi Islamic Bank|Al Rajhi Bank|Riyad Bank|Banque Misr
National Bank of Egypt|Commercial International Bank (Egypt)|Attijariwafa Bank|Banque du Liban et d'Outre-Mer
Jordan Kuwait Bank|Housing Bank for Trade and Finance|Gulf International Bank|Arab National Bank
Saudi Basic Industries Corporation|Qatar Petroleum|Oman Oil Company|Dubai Aluminium|Emirates Global Aluminium
Dubai Ports World|Abu Dhabi Ports|Global Shipping Lines|United Arab Shipping Company|National Shipping Company of Saudi Arabia
Pacific International Lines|Wan Hai Lines|Korea Electric Power Corporation|Korea Aerospace Industries
Hanwha Aerospace|Doosan Enerbility|Tata Consultancy Services|Wipro Limited|Larsen & Toubro Limited
Bharat Electronics Limited|Hindustan Aeronautics Limited|Indian Oil Corporation|Oil and Natural Gas Corporation
Petroliam Nasional Berhad|Malaysia Airlines|Singapore Technologies Engineering|Keppel Corporation
Sembcorp Industries|PT Pertamina|Thai Airways International|PTT Public Company Limited|Vietnam Airlines
Petrobras|Vale S.A.|Grupo Bimbo|Cemex S.A.B. de C.V.|Petroleos Mexicanos|Ecopetrol S.A.
Bancolombia S.A.|Banco de Chile|Banco Santander|Banco Bilbao Vizcaya Argentaria|Deutsche Bank AG
Commerzbank AG|Societe Generale|BNP Paribas|Credit Agricole|UniCredit S.p.A.|Intesa Sanpaolo
ING Groep N.V.|Rabobank|Nordea Bank|Danske Bank|Swedbank|Raiffeisen Bank International AG
Erste Group Bank AG|OTP Bank|PKO Bank Polski|Turkiye Is Bankasi|Akbank|Garanti BBVA|Ziraat Bankasi
Halkbank|Yapi Kredi|Kazkommertsbank|Halyk Bank|Kaspi.kz|Bank of Georgia|TBC Bank|Ameriabank
Global Technology Industries|International Trading Company|General Trading Company|Eastern Trading Company
Golden Star Trading|Sky Technology Limited|Future Technology Limited|New Energy Technology Company""".replace("\n", "|").split("|")

GEN_COUNTRY = {}  # left blank: many are multinational

ARABIC_GIVEN = """Ahmed Mohammed Omar Khaled Youssef Hassan Hussein Ali Ibrahim Mahmoud Mustafa Tariq Walid Karim
Samir Nabil Rami Fadi Ziad Hani Bassam Imad Jamal Adel Amr Osama Sami Nader Majed Faisal Layla Fatima Mariam
Noor Huda Salma Rania Dina Yasmin Aisha Amal Hiba Lina Reem Nadia""".split()
ARABIC_FAMILY = """Haddad Khoury Nasser Saleh Mansour Hamdan Farouk Aziz Rahman Said Abbas Jaber Darwish Qasim
Sabbagh Shami Masri Halabi Tamimi Zahran Othman Bakri Nassar Suleiman Ghanem Karam Haddadin Qureshi Barakat
Khalil Sayegh Najjar Attar Hijazi Kanaan Zoubi Maalouf Rizk Awad Bitar Fakhoury Jaradat Shalabi Tawil""".split()
PERSIAN_GIVEN = """Reza Ali Mohammad Hossein Mehdi Amir Hamid Saeed Majid Farhad Babak Dariush Kourosh Arash
Behnam Kamran Siamak Omid Navid Pejman Maryam Zahra Fatemeh Shirin Parisa Leila Nasrin Mahsa Niloufar Roya""".split()
PERSIAN_FAMILY = """Ahmadi Hosseini Karimi Rezaei Moradi Mohammadi Jafari Rahimi Ghasemi Sadeghi Tehrani Shirazi
Esfahani Kazemi Heidari Mousavi Nouri Bagheri Abbasi Farahani Amini Ebrahimi Hashemi Najafi Zamani Sharifi
Ranjbar Asadi Salehi Kiani""".split()
RUSSIAN_GIVEN_M = """Ivan Dmitry Sergey Alexei Andrei Mikhail Nikolai Pavel Vladimir Yuri Maxim Artem Roman Oleg
Igor Anton Denis Konstantin Viktor Boris""".split()
RUSSIAN_GIVEN_F = """Olga Tatiana Elena Natalia Irina Anna Maria Svetlana Ekaterina Anastasia Yulia Ksenia Daria
Polina Vera""".split()
RUSSIAN_FAMILY = """Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov Morozov Volkov
Alekseev Lebedev Semenov Egorov Pavlov Kozlov Stepanov Nikolaev Orlov Andreev Makarov Nikitin Zakharov Zaitsev
Soloviev Borisov Yakovlev Grigoriev""".split()
RUSSIAN_PATRONYMIC = """Ivanovich Sergeyevich Nikolaevich Alexandrovich Vladimirovich Petrovich Mikhailovich
Andreyevich""".split()
CHINESE_FAMILY = """Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo Zheng Liang
Xie Song Tang Han Feng Deng Cao Peng""".split()
CHINESE_GIVEN = """Wei Fang Na Min Jing Li Qiang Lei Jun Yang Yong Yan Jie Tao Ming Chao Xiu Hua Ping Gang Hui Bin
Bo Hong Ying Xin Lin Dan Peng Hao Yu Fei Kai Lan Rui""".split()


def main():
    rng = random.Random(SEED)
    lists = L.load_all(with_csl=True)
    names = []
    for ents in lists.values():
        for e in ents:
            names += e.names()
    names += L.legacy_names()
    keys, cores, skels = set(), set(), set()
    token_sets = []  # skeleton token sets of listed names
    df = {}  # in how many listed names a skeleton token occurs
    for n in set(names):
        keys.add(L.key(n))
        c = L.core_tokens(n)
        if not c:
            continue
        cores.add(" ".join(sorted(c)))
        sk = frozenset(L.skeleton(t) for t in c)
        skels.add(" ".join(sorted(sk)))
        token_sets.append(sk)
        for t in sk:
            df[t] = df.get(t, 0) + 1
    by_tok = {}
    for i, sk in enumerate(token_sets):
        for t in sk:
            by_tok.setdefault(t, []).append(i)

    def distinctive(toks):
        # a word few listed names use (a company's own name, not "trading" or "bank")
        return any(df.get(t, 0) <= 3 and len(t) >= 3 for t in toks)

    def listed_like(q, person):
        if L.key(q) in keys:
            return "same words"
        c = L.core_tokens(q)
        if not c:
            return "no name words"
        if " ".join(sorted(c)) in cores:
            return "same words without legal forms"
        sk = frozenset(L.skeleton(t) for t in c)
        if " ".join(sorted(sk)) in skels:
            return "same words under a spelling skeleton"
        if person == "short":
            return None
        cand = set()
        for t in sk:
            cand.update(by_tok.get(t, ()))
        for i in cand:
            lsk = token_sets[i]
            if lsk <= sk and (len(lsk) >= 2 or distinctive(lsk)):
                return "a listed name inside it: " + " ".join(sorted(lsk))
            if sk <= lsk and (person or distinctive(sk)):
                return "part of a listed name: " + " ".join(sorted(lsk))
        return None

    rows, dropped = [], []

    def add(q, country, cat, src):
        person = "short" if cat == "chinese_person" else cat.endswith("_person")
        why = listed_like(q, person)
        if why:
            dropped.append((cat, q, why))
            return False
        if any(r[0] == q for r in rows):
            return False
        rows.append([q, country, "", "", "", cat, src])
        return True

    for q in CN_COMPANIES:
        q = q.strip()
        cc = "HK" if any(w in q for w in ("Hong Kong", "Cathay", "CK Hutchison", "Swire", "Sun Hung Kai",
                                           "Hang Seng", "MTR", "Lee Kum Kee", "Techtronic", "Wharf")) else "CN"
        add(q, cc, "cn_company", "well-known Chinese company or university, on no list")
    for q in GENERIC_COMPANIES:
        add(q.strip(), "", "company_generic", "well-known company sharing generic words with listed names")

    def people(cat, n, make, country):
        tries = 0
        got = 0
        while got < n and tries < n * 20:
            tries += 1
            if add(make(), country, cat, "common given + family name, not a listed name"):
                got += 1

    people("arabic_person", 70, lambda: f"{rng.choice(ARABIC_GIVEN)} {rng.choice(ARABIC_FAMILY)}", "")
    people("persian_person", 50, lambda: f"{rng.choice(PERSIAN_GIVEN)} {rng.choice(PERSIAN_FAMILY)}", "IR")

    def russian():
        if rng.random() < 0.5:
            g, s = rng.choice(RUSSIAN_GIVEN_F), rng.choice(RUSSIAN_FAMILY) + "a"
            return f"{g} {s}"
        g, s = rng.choice(RUSSIAN_GIVEN_M), rng.choice(RUSSIAN_FAMILY)
        if rng.random() < 0.4:
            return f"{g} {rng.choice(RUSSIAN_PATRONYMIC)} {s}"
        return f"{g} {s}"

    people("russian_person", 70, russian, "RU")
    people("chinese_person", 80, lambda: f"{rng.choice(CHINESE_FAMILY)} {rng.choice(CHINESE_GIVEN)}", "CN")

    out = os.path.join(L.HERE, "negatives.csv")
    L.write_csv(out, HEADER, rows)
    from collections import Counter
    print(f"{out}: {len(rows)} rows")
    for k, v in sorted(Counter(r[5] for r in rows).items()):
        print(f"  {k:<16} {v}")
    print(f"left out as possibly listed: {len(dropped)}")
    for cat, q, why in dropped:
        if cat in ("cn_company", "company_generic"):
            print(f"  {cat}: {q}: {why}")


if __name__ == "__main__":
    main()
