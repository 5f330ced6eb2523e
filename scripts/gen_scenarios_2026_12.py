#!/usr/bin/env python3
"""Writes the golden scenarios of the December 2026 controls (issue 14) into
crates/tollgate-core/tests/scenarios/. Each scenario's expectation is read from the rule sentence
it quotes, not from the engine; this script only spares writing the order boilerplate by hand.
Run it once; the JSON files are the test data (edit them, not this script, afterwards)."""
import json, os, copy

OUT = os.path.join(os.path.dirname(__file__), "..", "crates", "tollgate-core", "tests", "scenarios")

CERTS = {"us_commercially_available": True, "us_supply_sufficient": True, "no_foundry_diversion": True,
         "kyc_remote_access_safeguards": True, "third_party_testing": True, "us_units_shipped": 250000}
LOW_END = {"name": "Acme Edge", "vendor": "Acme", "dense_tops": {"int8": 50}, "die_area_mm2": 200,
           "dram_bandwidth_gbs": 100, "datacenter": False}
B_ITEM = {"name": "Acme B1", "vendor": "Acme", "dense_tops": {"fp16": 187.5}, "die_area_mm2": 1000,
          "dram_bandwidth_gbs": 1600, "datacenter": True, "us_available_from": "2024-01-01"}
HBM = {"name": "Acme HBM3E stack", "vendor": "Acme", "kind": "hbm", "memory_bandwidth_gbs": 1200,
       "package_area_mm2": 110}


def order(date, item, country, name="Example Customer Co.", address=None, end_use=None, certs=None,
          transaction="export", ship_from="US", owners=None, qty=1000):
    it = {"quantity": qty, "unit_price": {"amount": "31000.00", "currency": "USD"}}
    if isinstance(item, str):
        it["chip"] = item
    else:
        it["specs"] = item
    eu = {"name": name, "country": country}
    if address:
        eu["address"] = address
    if owners:
        eu["owners"] = owners
    uc = {"name": name, "country": country}
    if address:
        uc["address"] = address
    o = {"id": "PO-SCN", "date": date, "exporter": "nvidia", "transaction": transaction,
         "ship_from": ship_from, "items": [it],
         "parties": {"ultimate_consignee": uc, "end_user": eu}}
    if end_use:
        o["end_use"] = end_use
    if certs:
        o["certifications"] = certs
    return o


def el_hit(party, name, mid="el-huawei", lst="Entity List"):
    return {"party": party, "list": lst, "match_id": mid, "match_name": name, "score": 0.97,
            "license_requirement": "For all items subject to the EAR."}


SCEN = []


def scen(n, name, rule_text, citation, as_of, o, expect, hits=(), ledger=None):
    s = {"name": name, "rule_text": rule_text, "citation": citation, "as_of": as_of, "order": o,
         "screening_hits": list(hits), "expect": expect}
    if ledger is not None:
        s["ledger"] = ledger
    SCEN.append((n, name, s))


RU_TEXT = ("A license is required to export, reexport, or transfer (in-country) to or within Russia or Belarus any "
           "item subject to the EAR and specified on the CCL, and EAR99 items identified in Supplements No. 2 and 4 "
           "to this part. Applications will be reviewed under a policy of denial.")
RU_CITE = "15 CFR 746.8(a)(1)-(2), (b)(1); 87 FR 22130; 88 FR 33422"

# 1. Russia and Belarus, Crimea and the so-called DNR/LNR.
scen(61, "h20-russia-2026-policy-of-denial", RU_TEXT, RU_CITE, "2026-02-01",
     order("2026-02-01", "nvidia-h20", "RU", "Example Moscow LLC"),
     {"verdict": "license_required", "review_policy": "policy_of_denial",
      "reasons_include": ["746.8-a-russia-belarus", "746.8-b-policy-of-denial"], "obligations": []})
scen(62, "l20-belarus-2023-02-ear99-uncertain", RU_TEXT, RU_CITE, "2023-02-01",
     order("2023-02-01", "nvidia-l20", "BY", "Example Minsk LLC"),
     {"verdict": "license_required", "review_policy": "policy_of_denial",
      "reasons_include": ["746.8-a-russia-belarus"], "obligations": [], "warnings": ["uncertain_rule"],
      "warning_words_include": ["whether its HTS code was listed in Supp. No. 4 to Part 746 before 2023-05-19 is not established"]})
scen(63, "low-end-chip-russia-2023-06-certain", RU_TEXT, RU_CITE, "2023-06-01",
     order("2023-06-01", LOW_END, "RU", "Example Moscow LLC"),
     {"verdict": "license_required", "review_policy": "policy_of_denial",
      "reasons_include": ["746.8-a-russia-belarus"], "obligations": [], "warnings": []})
scen(64, "low-end-chip-sevastopol-crimea",
     "A license is required for the export or reexport to, or transfer within, the Crimea region of Ukraine and the covered regions of Ukraine of all items subject to the EAR other than food and medicine designated as EAR99. Applications will be reviewed with a policy of denial.",
     "15 CFR 746.6(a)(1), (b)", "2026-02-01",
     order("2026-02-01", LOW_END, "UA", "Example Sevastopol Trading", address="12 Lenina St, Sevastopol"),
     {"verdict": "license_required", "review_policy": "policy_of_denial",
      "reasons_include": ["746.6-crimea-dnr-lnr", "746.6-b-policy-of-denial"], "obligations": []})
scen(65, "low-end-chip-kyiv-no-licence",
     "The 746.6 licence requirement covers the Crimea region and the so-called DNR and LNR only; the rest of Ukraine is not a restricted destination for items outside 3A090/4A090.",
     "15 CFR 746.6(a)(1)", "2026-02-01",
     order("2026-02-01", LOW_END, "UA", "Example Kyiv IT LLC", address="1 Khreshchatyk St, Kyiv"),
     {"verdict": "no_license_required", "review_policy": None, "reasons_include": [], "obligations": []})

AFF_TEXT = ("A license is required for any foreign entity that is 50 percent or more owned, directly or indirectly, "
            "individually or in the aggregate, by one or more entities listed on the Entity List; such an affiliate "
            "is subject to the same license requirements and license review policy as the listed owner (the most "
            "restrictive where owners differ).")
AFF_CITE = "15 CFR 744.11(a)(1) as amended by 90 FR 47201 (FR Doc 2025-19001)"
HUAWEI = "Huawei Technologies Co., Ltd."
MY_OWNERS = [{"name": HUAWEI, "country": "CN", "percent": "60"}]

# 2. The Affiliates rule.
scen(66, "h200-malaysia-60pct-huawei-2026-11-affiliate", AFF_TEXT, AFF_CITE, "2026-11-20",
     order("2026-11-20", "nvidia-h200-sxm", "MY", "Example Penang Compute Sdn. Bhd.", owners=MY_OWNERS),
     {"verdict": "license_required", "review_policy": "presumption_of_denial",
      "reasons_include": ["744.11-a1-affiliates"], "obligations": [],
      "reason_words_include": ["end_user 'Example Penang Compute Sdn. Bhd.' is 60 % owned, directly or indirectly, by parties on the Entity List, Military End User List, SDN: 'Huawei Technologies Co., Ltd.' (end_user.owners[0], 60 %) on the Entity List as 'Huawei Technologies Co., Ltd.' (id el-huawei)",
                               "licence required, presumption_of_denial"]},
     hits=[el_hit("end_user.owners[0]", HUAWEI)])
scen(67, "h200-malaysia-60pct-huawei-2026-06-suspended-red-flag",
     "The Affiliates rule is suspended from November 10, 2025 through November 9, 2026; during the suspension ownership by a listed entity does not by itself impose a license requirement, but it remains a red flag under the Know Your Customer guidance.",
     "90 FR 47201, suspended 2025-11-10 through 2026-11-09; 15 CFR Part 732, Supp. No. 3", "2026-06-01",
     order("2026-06-01", "nvidia-h200-sxm", "MY", "Example Penang Compute Sdn. Bhd.", owners=MY_OWNERS),
     {"verdict": "no_license_required", "review_policy": None, "reasons_include": ["744.11-a1-affiliates-suspension"],
      "obligations": [], "warnings": ["affiliate_red_flag", "contested_rule"],
      "warning_words_include": ["owner 'Huawei Technologies Co., Ltd.' (end_user.owners[0], 60 %) matches 'Huawei Technologies Co., Ltd.' on the Entity List",
                                "the Affiliates rule is suspended from 2025-11-10 through 2026-11-09"]},
     hits=[el_hit("end_user.owners[0]", HUAWEI)])
scen(68, "h200-malaysia-indirect-aggregate-2025-10-affiliate", AFF_TEXT, AFF_CITE, "2025-10-01",
     order("2025-10-01", "nvidia-h200-sxm", "MY", "Example Penang Compute Sdn. Bhd.",
           owners=[{"name": "Example Holding (HK) Ltd.", "country": "HK", "percent": "35",
                    "owners": [{"name": HUAWEI, "country": "CN", "percent": "100"}]},
                   {"name": "Semiconductor Manufacturing International Corporation", "country": "CN", "percent": "20"},
                   {"name": "Example Pension Fund", "country": "SG", "percent": "45"}]),
     {"verdict": "license_required", "review_policy": "presumption_of_denial",
      "reasons_include": ["744.11-a1-affiliates"], "obligations": [],
      "reason_words_include": ["is 55 % owned, directly or indirectly",
                               "'Example Holding (HK) Ltd.' (end_user.owners[0], 35 %), itself 100 % owned by listed parties: 'Huawei Technologies Co., Ltd.' (end_user.owners[0].owners[0], 100 %) on the Entity List",
                               "'Semiconductor Manufacturing International Corporation' (end_user.owners[1], 20 %) on the Entity List"]},
     hits=[el_hit("end_user.owners[0].owners[0]", HUAWEI),
           el_hit("end_user.owners[1]", "Semiconductor Manufacturing International Corporation", "el-smic")])
scen(69, "h200-malaysia-30pct-huawei-2026-11-below-threshold",
     "Red Flag 29: an entity has an owner on the Entity List below the 50 percent threshold; exporters must look into the ownership before proceeding. The license requirement applies only at 50 percent or more.",
     "15 CFR Part 732, Supp. No. 3, Red Flag 29; 15 CFR 744.11(a)(1)", "2026-11-20",
     order("2026-11-20", "nvidia-h200-sxm", "MY", "Example Penang Compute Sdn. Bhd.",
           owners=[{"name": HUAWEI, "country": "CN", "percent": "30"}]),
     {"verdict": "no_license_required", "review_policy": None, "reasons_include": [], "obligations": [],
      "warnings": ["affiliate_red_flag", "contested_rule"],
      "warning_words_include": ["listed parties hold 30 % of it", "Red Flag 29 requires looking into the ownership"]},
     hits=[el_hit("end_user.owners[0]", HUAWEI)])
scen(70, "h200-de-50pct-sdn-owned-prohibited",
     "The property and interests in property of entities directly or indirectly owned 50 percent or more in the aggregate by one or more blocked persons are considered blocked.",
     "OFAC Revised Guidance on Entities Owned by Persons Whose Property and Interests in Property Are Blocked (2014-08-13)",
     "2024-06-01",
     order("2024-06-01", "nvidia-h200-sxm", "DE", "Example Frankfurt GmbH",
           owners=[{"name": "Example Blocked Holding", "country": "RU", "percent": "50"}]),
     {"verdict": "prohibited", "review_policy": None, "reasons_include": ["ofac-50-percent-rule"], "obligations": []},
     hits=[{"party": "end_user.owners[0]", "list": "SDN", "match_id": "sdn-1", "match_name": "EXAMPLE BLOCKED HOLDING", "score": 0.99}])
scen(71, "h200-cn-2026-12-ownership-unknown-and-part744-absent",
     "Red Flag 29 requires exporters to determine the ownership of parties in destinations of concern while the Affiliates rule is in force; the 2026 case-by-case review also requires the applicant to certify that the export is not prohibited by Part 744.",
     "15 CFR Part 732, Supp. No. 3, Red Flag 29; 15 CFR Part 748, Supp. No. 2, para. (dd)", "2026-12-01",
     order("2026-12-01", "nvidia-h200-sxm", "CN", "Example Cloud Co., Ltd.", certs=CERTS),
     {"verdict": "license_required", "review_policy": "case_by_case",
      "reasons_include": ["742.6-b10-2026-case-by-case"],
      "obligations": ["third_party_test_each_shipment", "section_232_duty_25pct", "china_volume_cap_50pct"],
      "warnings": ["affiliate_red_flag", "incomplete_certifications"],
      "warning_words_include": ["ultimate_consignee 'Example Cloud Co., Ltd.' (CN) states no owners", "no_part744_end_use"]})

# 3. Part 744 end uses.
scen(72, "low-end-chip-cn-military-intelligence",
     "A license is required for the export of any item subject to the EAR when you have knowledge that it is intended, entirely or in part, for a military-intelligence end use or end user in Belarus, Burma, Cambodia, China, Russia or Venezuela. Applications will be reviewed with a presumption of denial.",
     "15 CFR 744.22(a), (e)", "2026-02-01",
     order("2026-02-01", LOW_END, "CN", "Example Institute", end_use={"military_intelligence": True}),
     {"verdict": "license_required", "review_policy": "presumption_of_denial",
      "reasons_include": ["744.22-military-intelligence", "744.22-e-policy"], "obligations": []})
scen(73, "low-end-chip-cn-supercomputer-2024",
     "A license is required for items subject to the EAR when you know the item is destined for the development, production, operation, installation, maintenance or repair of a supercomputer located in or destined to Macau or a destination in Country Group D:5. Applications will be reviewed with a presumption of denial.",
     "15 CFR 744.23(a)(2), (d)", "2024-06-01",
     order("2024-06-01", LOW_END, "CN", "Example Supercomputing Center", end_use={"supercomputer": True}),
     {"verdict": "license_required", "review_policy": "presumption_of_denial",
      "reasons_include": ["744.23-a2-supercomputer", "744.23-d-policy"], "obligations": []})
scen(74, "l20-cn-advanced-node-fab-2023-03",
     "A license is required for items subject to the EAR when you know the item will be used in the development or production of integrated circuits at a semiconductor fabrication facility located in China that fabricates integrated circuits meeting the advanced-node criteria.",
     "15 CFR 744.23(a)(1) (87 FR 62186)", "2023-03-01",
     order("2023-03-01", "nvidia-l20", "CN", "Example Foundry Co.", end_use={"advanced_node_ic_production": True}),
     {"verdict": "license_required", "review_policy": "presumption_of_denial",
      "reasons_include": ["744.23-a1-advanced-node-ic"], "obligations": []})
scen(75, "h200-de-nuclear-end-use",
     "A license is required to export any item subject to the EAR when you know it will be used directly or indirectly in nuclear explosive activities or unsafeguarded nuclear activities.",
     "15 CFR 744.2(a), (d)", "2026-02-01",
     order("2026-02-01", "nvidia-h200-sxm", "DE", "Example Forschungs GmbH", end_use={"nuclear": True}),
     {"verdict": "license_required", "review_policy": "case_by_case",
      "reasons_include": ["744.2-nuclear", "744.2-d-policy"], "obligations": []})
scen(76, "low-end-chip-ae-missile-end-use",
     "A license is required to export any item subject to the EAR when you know it will be used in the design, development, production or use of rocket systems or unmanned aerial vehicles capable of a range of at least 300 km.",
     "15 CFR 744.3(a), (d)", "2026-02-01",
     order("2026-02-01", LOW_END, "AE", "Example Aerospace LLC", end_use={"missile": True}),
     {"verdict": "license_required", "review_policy": "case_by_case",
      "reasons_include": ["744.3-missile"], "obligations": []})
scen(77, "low-end-chip-in-chem-bio-end-use",
     "A license is required to export any item subject to the EAR when you know it will be used in the design, development, production, stockpiling or use of chemical or biological weapons.",
     "15 CFR 744.4(a), (d)", "2026-02-01",
     order("2026-02-01", LOW_END, "IN", "Example Labs Pvt. Ltd.", end_use={"chemical_biological": True}),
     {"verdict": "license_required", "review_policy": "case_by_case",
      "reasons_include": ["744.4-chemical-biological"], "obligations": []})
scen(78, "low-end-chip-ru-mieu-list-hit",
     "BIS may inform persons that a license is required for exports to entities it has determined are military-intelligence end users; such licence applications are reviewed with a presumption of denial.",
     "15 CFR 744.22(e), (f)(2)", "2026-02-01",
     order("2026-02-01", LOW_END, "MM", "Directorate of Signal"),
     {"verdict": "license_required", "review_policy": "presumption_of_denial",
      "reasons_include": ["744.22-mieu-list"], "obligations": []},
     hits=[{"party": "end_user", "list": "Military Intelligence End User List", "match_id": "mieu-3", "match_name": "Directorate of Signal", "score": 1.0}])

# 4. MI308X and chips reaching the H20's bandwidth.
IS_INFORMED = ("NVIDIA was informed that the U.S. government requires a license for export to China (including Hong Kong and Macau) "
               "and D:5 countries of the H20 and any other circuits achieving the H20's memory bandwidth, interconnect bandwidth, or "
               "combination thereof; AMD disclosed the same requirement for the MI308X.")
IS_CITE = "15 CFR 744.23 (is-informed); NVIDIA Form 8-K of 2025-04-09; AMD disclosure of 2025-04-15"
scen(79, "mi308x-cn-2026-is-informed-without-figures", IS_INFORMED, IS_CITE, "2026-02-01",
     order("2026-02-01", "amd-mi308x", "CN", "Example Cloud Co., Ltd."),
     {"verdict": "license_required", "review_policy": "presumption_of_denial",
      "reasons_include": ["744.23-is-informed", "744.23-is-informed-policy"], "obligations": [],
      "eccn": "unclassified", "warnings": ["unclassified_item"]})
scen(80, "mi308x-de-2026-needs-figures", "Outside the is-informed destinations the item's ECCN decides, and the MI308X has no published figures to classify it.",
     "15 CFR 744.23 (is-informed); 15 CFR Part 774, Supp. No. 1, ECCN 3A090", "2026-02-01",
     order("2026-02-01", "amd-mi308x", "DE", "Example Frankfurt GmbH"),
     {"error_field": "items[0].chip"})
scen(81, "inline-nvidia-h20-bandwidth-cn-2025-06", IS_INFORMED, IS_CITE, "2025-06-01",
     order("2025-06-01", {"name": "NVIDIA H20 successor (sample)", "vendor": "NVIDIA", "dense_tops": {"fp8": 290},
                          "die_area_mm2": 800, "dram_bandwidth_gbs": 4000, "interconnect_gbs": 900, "datacenter": True},
           "CN", "Example Cloud Co., Ltd."),
     {"verdict": "license_required", "review_policy": "presumption_of_denial",
      "reasons_include": ["744.23-is-informed"], "obligations": [], "eccn": "not_3A090",
      "reason_words_include": ["reaches the bandwidth of a chip named in an is-informed letter"]})

# 5. Macau from 2023-01-17.
MO_TEXT = "A license is required for items specified in ECCN 3A090 or 4A090 to the People's Republic of China or Macau; applications will be reviewed with a presumption of denial."
scen(82, "a100-macau-2023-02-denial", MO_TEXT, "15 CFR 742.6(a)(6)(i), (b)(10) as corrected by 88 FR 2821 (FR Doc 2023-00888)", "2023-02-01",
     order("2023-02-01", "nvidia-a100-sxm", "MO", "Example Macau Data Ltd."),
     {"verdict": "license_required", "review_policy": "presumption_of_denial",
      "reasons_include": ["742.6-a6-destination", "742.6-b10-2022-denial"], "obligations": []})
scen(83, "a100-macau-2022-12-no-licence", "Before 88 FR 2821 (effective 2023-01-17) the October 2022 requirement named the People's Republic of China only.",
     "15 CFR 742.6(a)(6)(i) (87 FR 62186)", "2022-12-01",
     order("2022-12-01", "nvidia-a100-sxm", "MO", "Example Macau Data Ltd."),
     {"verdict": "no_license_required", "review_policy": None, "reasons_include": [], "obligations": []})

# 6. Nicaragua from 2024-03-15.
NI_TEXT = "Nicaragua is moved from Country Group B to Country Group D:1, added to Country Group D:5, and added to the military end-use and end-user controls of 744.21."
NI_CITE = "89 FR 18780 (FR Doc 2024-05696); 15 CFR Part 740, Supp. No. 1; 15 CFR 744.21"
scen(84, "h100-nicaragua-2024-01-no-licence", NI_TEXT, NI_CITE, "2024-01-10",
     order("2024-01-10", "nvidia-h100-sxm", "NI", "Example Managua S.A."),
     {"verdict": "no_license_required", "review_policy": None, "reasons_include": [], "obligations": []})
scen(85, "h100-nicaragua-2024-04-d5-denial", NI_TEXT, NI_CITE, "2024-04-10",
     order("2024-04-10", "nvidia-h100-sxm", "NI", "Example Managua S.A."),
     {"verdict": "license_required", "review_policy": "presumption_of_denial",
      "reasons_include": ["742.6-a6-destination", "742.6-b10-d5-datacenter-a"], "obligations": []})
scen(86, "low-end-chip-nicaragua-military-2024-02-no-licence", NI_TEXT, NI_CITE, "2024-02-01",
     order("2024-02-01", LOW_END, "NI", "Example Managua S.A.", end_use={"military": True}),
     {"verdict": "no_license_required", "review_policy": None, "reasons_include": [], "obligations": []})
scen(87, "low-end-chip-nicaragua-military-2024-03-15", NI_TEXT, NI_CITE, "2024-03-15",
     order("2024-03-15", LOW_END, "NI", "Example Managua S.A.", end_use={"military": True}),
     {"verdict": "license_required", "review_policy": "presumption_of_denial",
      "reasons_include": ["744.21-military-end-use"], "obligations": []})

# 8. HBM.
HBM_TEXT = ("A license is required for 3A090.c high-bandwidth memory to Macau or a destination in Country Group D:5, or to an "
            "entity headquartered in, or with an ultimate parent headquartered in, Macau or D:5 (compliance by 2024-12-31).")
HBM_CITE = "15 CFR 742.6(a)(6)(iii) as amended by 89 FR 96790 (FR Doc 2024-28270)"
scen(88, "hbm-saudi-2025-no-licence", HBM_TEXT, HBM_CITE, "2025-02-01",
     order("2025-02-01", HBM, "SA", "Example Riyadh Compute Co."),
     {"verdict": "no_license_required", "review_policy": None, "reasons_include": [], "obligations": [], "eccn": "3A090.c"})
scen(89, "hbm-cn-2025-denial-policy-uncertain", HBM_TEXT, HBM_CITE, "2025-02-01",
     order("2025-02-01", HBM, "CN", "Example Packaging Co."),
     {"verdict": "license_required", "review_policy": "presumption_of_denial",
      "reasons_include": ["742.6-a6-hbm", "742.6-b10-hbm"], "obligations": [], "warnings": ["uncertain_rule"]})
scen(90, "hbm-cn-2024-12-before-compliance-date", HBM_TEXT, HBM_CITE, "2024-12-10",
     order("2024-12-10", HBM, "CN", "Example Packaging Co."),
     {"verdict": "license_required", "review_policy": "presumption_of_denial",
      "reasons_include": ["742.6-a6-hbm"], "obligations": [], "warnings": ["uncertain_rule", "uncertain_rule"],
      "warning_words_include": ["compliance date of 2024-12-31"]})

scen(107, "hbm-cn-2024-12-31-compliance-date-reached", HBM_TEXT, HBM_CITE, "2024-12-31",
     order("2024-12-31", HBM, "CN", "Example Packaging Co."),
     {"verdict": "license_required", "review_policy": "presumption_of_denial",
      "reasons_include": ["742.6-a6-hbm"], "obligations": [], "warnings": ["uncertain_rule"]})

# 9. Syria.
SY_TEXT = ("Applications for dual-use items to Syria, other than for telecommunications, sanitation, power generation and civil "
           "aviation (approval), will be reviewed on a case-by-case basis; License Exception SPP authorizes EAR99 items.")
SY_CITE = "15 CFR 746.9(b) and 740.5 as revised by 90 FR 42315 (FR Doc 2025-16724)"
scen(91, "l20-syria-2025-10-case-by-case", SY_TEXT, SY_CITE, "2025-10-01",
     order("2025-10-01", "nvidia-l20", "SY", "Example Damascus Telecom"),
     {"verdict": "license_required", "review_policy": "case_by_case",
      "reasons_include": ["746-embargo", "746.9-b-syria-2025"], "obligations": [], "warnings": ["affiliate_red_flag", "uncertain_rule"],
      "warning_words_include": ["License Exception SPP"]})
scen(92, "l20-syria-2025-08-policy-of-denial", "Before 2025-09-02 exports to Syria were reviewed under a general policy of denial.",
     "15 CFR 746.9(b) (before 90 FR 42315)", "2025-08-01",
     order("2025-08-01", "nvidia-l20", "SY", "Example Damascus Telecom"),
     {"verdict": "license_required", "review_policy": "policy_of_denial",
      "reasons_include": ["746-embargo", "746-policy-of-denial"], "obligations": [], "warnings": []})

# 10. ACA for in-country transfers within D:5.
scen(93, "b-item-in-country-transfer-cn-aca",
     "License Exception ACA authorizes in-country transfers of eligible 3A090 and 4A090 items within Macau or a destination in Country Group D:5, without prior notification.",
     "15 CFR 740.8(b) (89 FR 23876)", "2024-06-01",
     order("2024-06-01", B_ITEM, "CN", "Example Cloud Co., Ltd.", transaction="in_country_transfer", ship_from="CN"),
     {"verdict": "license_exception", "review_policy": None, "reasons_include": ["740.8-aca-in-country"],
      "obligations": [], "licence_exception": "ACA", "reason_words_include": ["No notification is required."]})

# 11. AI Diffusion: effective 2025-01-13, contested after 2025-05-13.
scen(94, "h100-india-2025-06-contested-diffusion",
     "BIS announced on 2025-05-13 that it would not enforce the AI Diffusion rule; GAO decision B-337935 held that announcement to be a rule under the Congressional Review Act, so the diffusion rule's worldwide licence requirement for 3A090.a items outside Tier 1 is legally contested.",
     "90 FR 4544 (FR Doc 2025-00636); GAO B-337935 (2026-05-12)", "2025-06-01",
     order("2025-06-01", "nvidia-h100-sxm", "IN", "Example Bengaluru AI Pvt. Ltd."),
     {"verdict": "no_license_required", "review_policy": None, "reasons_include": [], "obligations": [],
      "warnings": ["contested_rule"], "warning_words_include": ["GAO decision B-337935"]})
scen(95, "h100-de-2025-06-tier1-no-warning",
     "Tier 1 countries (Supp. No. 5 to Part 740) were outside the diffusion rule's worldwide licence requirement.",
     "15 CFR Part 740, Supp. No. 5 (90 FR 4544)", "2025-06-01",
     order("2025-06-01", "nvidia-h100-sxm", "DE", "Example Frankfurt GmbH"),
     {"verdict": "no_license_required", "review_policy": None, "reasons_include": [], "obligations": [], "warnings": []})
scen(96, "h100-india-2025-01-14-diffusion-in-force-not-yet-binding",
     "The AI Diffusion rule is effective January 13, 2025; compliance with its new licence requirements is required from May 15, 2025.",
     "90 FR 4544 (FR Doc 2025-00636)", "2025-01-14",
     order("2025-01-14", "nvidia-h100-sxm", "IN", "Example Bengaluru AI Pvt. Ltd."),
     {"verdict": "no_license_required", "review_policy": None, "reasons_include": ["ai-diffusion-worldwide"], "obligations": []})

# 12. MI355X TPP with FP6 at the FP4 rate.
scen(97, "mi355x-cn-2026-fp6-tpp-above-criteria",
     "TPP is 2 x MacTOPS x bit length, the maximum over precisions; AI commodities must have a TPP below 21,000.",
     "15 CFR Part 774, Supp. No. 1, ECCN 3A090, Technical Note 2; 15 CFR Part 748, Supp. No. 2, para. (dd)(1)", "2026-02-01",
     order("2026-02-01", "amd-mi355x", "CN", "Example Cloud Co., Ltd.", certs=CERTS),
     {"verdict": "license_required", "review_policy": "presumption_of_denial",
      "reasons_include": ["3a090-a1", "742.6-b10-d5-datacenter-a"], "obligations": [],
      "reason_words_include": ["TPP is 60,397 = 10,066.3 dense TOPS at fp6 x 6 bits"]})

# 13. The Part 744 certification.
P744 = dict(CERTS)
P744["no_part744_end_use"] = False
scen(98, "h200-cn-2026-part744-certification-false",
     "Case-by-case review requires the applicant to certify that the export is not prohibited by the end-use and end-user controls of Part 744.",
     "15 CFR Part 748, Supp. No. 2, para. (dd); 91 FR 1684", "2026-02-01",
     order("2026-02-01", "nvidia-h200-sxm", "CN", "Example Cloud Co., Ltd.", certs=P744),
     {"verdict": "license_required", "review_policy": "presumption_of_denial",
      "reasons_include": ["742.6-b10-2026-case-by-case", "742.6-b10-d5-datacenter-a"], "obligations": [],
      "reason_words_include": ["no_part744_end_use is false, the rule needs it not to be"], "warnings": []})
P744T = dict(CERTS)
P744T["no_part744_end_use"] = True
scen(99, "h200-cn-2026-part744-certified", "Case-by-case review requires the applicant to certify that the export is not prohibited by Part 744.",
     "15 CFR Part 748, Supp. No. 2, para. (dd); 91 FR 1684", "2026-02-01",
     order("2026-02-01", "nvidia-h200-sxm", "CN", "Example Cloud Co., Ltd.", certs=P744T),
     {"verdict": "license_required", "review_policy": "case_by_case", "reasons_include": ["742.6-b10-2026-case-by-case"],
      "obligations": ["third_party_test_each_shipment", "section_232_duty_25pct", "china_volume_cap_50pct"], "warnings": []})

# 14. The cap from the exporter's ledger.
scen(100, "h200-cn-2026-cap-from-ledger-exceeded",
     "Aggregate shipments of the product to China and Macau may not exceed 50 percent of the product's shipments to US customers for US end use.",
     "15 CFR Part 748, Supp. No. 2, para. (dd)(1)(iii)", "2026-02-01",
     order("2026-02-01", "nvidia-h200-sxm", "CN", "Example Cloud Co., Ltd.", certs=P744T),
     {"verdict": "license_required", "review_policy": "presumption_of_denial",
      "reasons_include": ["748-supp2-dd1-iii-volume-cap"], "obligations": [],
      "reason_words_include": ["nvidia-h200-sxm: 1,500 units to China and Macau (500 already shipped + 1,000 in this order) exceed the cap of 1,000 (0.5 x 2,000 US units) (counts from the exporter's ledger)"]},
     ledger=[{"chip": "nvidia-h200-sxm", "us_units": 2000, "china_macau_units": 500}])

# 15. Inline items on the (dd) certification.
INLINE = {"name": "Acme A1", "vendor": "Acme", "dense_tops": {"fp8": 1500}, "die_area_mm2": 800,
          "dram_bandwidth_gbs": 3000, "interconnect_gbs": 400, "datacenter": True}
scen(101, "inline-a-item-cn-2026-us-availability-certified",
     "The applicant certifies that the commodity is commercially available in the United States; that certification is the evidence for an item described by its specifications.",
     "15 CFR Part 748, Supp. No. 2, para. (dd)(1)(i); 91 FR 1684", "2026-02-01",
     order("2026-02-01", INLINE, "CN", "Example Cloud Co., Ltd.", certs=P744T),
     {"verdict": "license_required", "review_policy": "case_by_case", "reasons_include": ["742.6-b10-2026-case-by-case"],
      "obligations": ["third_party_test_each_shipment", "china_volume_cap_50pct"],
      "reason_words_include": ["is an AI commodity on the exporter's certification of US commercial availability"]})
NOCERT = dict(P744T)
NOCERT.pop("us_commercially_available")
scen(102, "inline-a-item-cn-2026-no-availability-evidence",
     "Only a commodity commercially available in the United States is an AI commodity; without a date or the certification it cannot be shown.",
     "15 CFR Part 748, Supp. No. 2, para. (dd)(1)(i)", "2026-02-01",
     order("2026-02-01", INLINE, "CN", "Example Cloud Co., Ltd.", certs=NOCERT),
     {"verdict": "license_required", "review_policy": "presumption_of_denial", "reasons_include": ["742.6-b10-d5-datacenter-a"],
      "obligations": [], "reason_words_include": ["is not an AI commodity: not shown to be commercially available in the US"]})

# Every pack has a scenario: the packs of the dated changes.
scen(103, "h200-cn-2025-09-02-syria-pack-baseline", "From 2025-09-02 the China baseline is unchanged: 3A090.a datacenter items to D:5 are reviewed with a presumption of denial.",
     "15 CFR 742.6(b)(10)(i)", "2025-09-10",
     order("2025-09-10", "nvidia-h200-sxm", "CN", "Example Cloud Co., Ltd.",
           owners=[{"name": "Example Founders", "country": "CN", "percent": "100"}]),
     {"verdict": "license_required", "review_policy": "presumption_of_denial", "reasons_include": ["742.6-b10-d5-datacenter-a"],
      "obligations": [], "warnings": []})
scen(104, "h200-malaysia-60pct-huawei-2026-01-20-suspended", AFF_TEXT + " (suspended 2025-11-10 through 2026-11-09)",
     "90 FR 47201; suspension 2025-11-10 through 2026-11-09", "2026-01-20",
     order("2026-01-20", "nvidia-h200-sxm", "MY", "Example Penang Compute Sdn. Bhd.", owners=MY_OWNERS),
     {"verdict": "no_license_required", "review_policy": None, "reasons_include": [], "obligations": [], "warnings": ["affiliate_red_flag", "contested_rule"]},
     hits=[el_hit("end_user.owners[0]", HUAWEI)])
scen(105, "h200-malaysia-60pct-huawei-2025-11-10-suspended", AFF_TEXT + " (suspended 2025-11-10 through 2026-11-09)",
     "90 FR 47201; suspension 2025-11-10 through 2026-11-09", "2025-11-10",
     order("2025-11-10", "nvidia-h200-sxm", "MY", "Example Penang Compute Sdn. Bhd.", owners=MY_OWNERS),
     {"verdict": "no_license_required", "review_policy": None, "reasons_include": [], "obligations": [], "warnings": ["affiliate_red_flag", "contested_rule"]},
     hits=[el_hit("end_user.owners[0]", HUAWEI)])
scen(106, "h200-malaysia-60pct-huawei-2025-11-09-in-force", AFF_TEXT, AFF_CITE, "2025-11-09",
     order("2025-11-09", "nvidia-h200-sxm", "MY", "Example Penang Compute Sdn. Bhd.", owners=MY_OWNERS),
     {"verdict": "license_required", "review_policy": "presumption_of_denial", "reasons_include": ["744.11-a1-affiliates"], "obligations": []},
     hits=[el_hit("end_user.owners[0]", HUAWEI)])

for n, name, s in SCEN:
    path = os.path.join(OUT, f"{n:02d}-{name}.json")
    with open(path, "w") as f:
        f.write(json.dumps(s, indent=2) + "\n")
print(len(SCEN), "scenarios written")
