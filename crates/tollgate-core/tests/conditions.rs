//! The condition language of the packs (`when = [...]`): every operator at its boundary, every
//! fact's name in the "why this rule did not apply" sentence, and every validation error. The
//! expected sentences are written out here, so a change to one is a decision, not an accident.

use rust_decimal::Decimal;
use serde::Deserialize;
use tollgate_core::condition::{
    all_hold, compile_all, first_unmet, BoolFact, CompileCtx, Condition, CountryFact, Facts,
    NumFact, RawCondition, Stage, StrFact,
};
use tollgate_core::country::CountrySet;
use tollgate_core::Iso2;

/// Facts given by hand; anything not given is unknown.
#[derive(Default)]
struct F {
    num: Vec<(NumFact, Decimal)>,
    boolean: Vec<(BoolFact, bool)>,
    string: Vec<(StrFact, &'static str)>,
    countries: Vec<(CountryFact, Vec<Iso2>)>,
}

impl Facts for F {
    fn num(&self, f: NumFact) -> Option<Decimal> {
        self.num.iter().find(|(k, _)| *k == f).map(|(_, v)| *v)
    }
    fn boolean(&self, f: BoolFact) -> Option<bool> {
        self.boolean.iter().find(|(k, _)| *k == f).map(|(_, v)| *v)
    }
    fn string(&self, f: StrFact) -> Option<&str> {
        self.string.iter().find(|(k, _)| *k == f).map(|(_, v)| *v)
    }
    fn countries(&self, f: CountryFact) -> &[Iso2] {
        self.countries
            .iter()
            .find(|(k, _)| *k == f)
            .map(|(_, v)| v.as_slice())
            .unwrap_or(&[])
    }
}

fn num(f: NumFact, v: i64) -> F {
    F {
        num: vec![(f, Decimal::from(v))],
        ..F::default()
    }
}

fn cc(codes: &[&str]) -> Vec<Iso2> {
    codes.iter().map(|c| Iso2::parse(c).unwrap()).collect()
}

fn set(codes: &[&str]) -> CountrySet {
    let mut s = CountrySet::default();
    for c in cc(codes) {
        s.insert(c);
    }
    s
}

const SETS: &[&str] = &["china_macau", "eu"];

fn compile_at(when: &str, stage: Stage) -> Result<Vec<Condition>, tollgate_core::DataError> {
    #[derive(Deserialize)]
    struct W {
        when: Vec<RawCondition>,
    }
    let raw = toml::from_str::<W>(&format!("when = [{when}]"))
        .unwrap()
        .when;
    let names: Vec<String> = SETS.iter().map(|s| s.to_string()).collect();
    compile_all(
        &raw,
        &CompileCtx {
            file: "packs/test.toml",
            max_stage: stage,
            set_names: &names,
        },
        "rule[0].when",
    )
}

fn one(when: &str) -> Condition {
    let mut c = compile_at(when, Stage::Policy).unwrap_or_else(|e| panic!("{when}: {e}"));
    assert_eq!(c.len(), 1);
    c.remove(0)
}

fn problem(when: &str, stage: Stage) -> String {
    let e = compile_at(when, stage).expect_err(when);
    assert_eq!(e.file, "packs/test.toml");
    format!("{}: {}", e.key, e.problem)
}

#[test]
fn each_comparison_holds_exactly_where_its_operator_says() {
    // (operator, symbol, holds at 99, at 100, at 101) against the value 100.
    let cases = [
        ("ge", ">=", [false, true, true]),
        ("gt", ">", [false, false, true]),
        ("le", "<=", [true, true, false]),
        ("lt", "<", [true, false, false]),
        ("eq", "=", [false, true, false]),
    ];
    for (op, symbol, want) in cases {
        let c = one(&format!("{{ fact = 'tpp', {op} = 100 }}"));
        for (v, w) in [99, 100, 101].into_iter().zip(want) {
            let f = num(NumFact::Tpp, v);
            assert_eq!(c.holds(&f, &[]), w, "tpp {op} 100 at {v}");
            assert_eq!(
                c.describe_unmet(&f),
                format!("tpp {symbol} 100 does not hold (tpp is {v})")
            );
        }
        assert!(!c.holds(&F::default(), &[]), "unknown tpp, {op}");
        assert_eq!(
            c.describe_unmet(&F::default()),
            format!("tpp {symbol} 100 cannot be shown: tpp is unknown")
        );
    }
}

#[test]
fn every_number_fact_is_named_in_its_sentence() {
    for (name, fact) in [
        ("tpp", NumFact::Tpp),
        ("performance_density", NumFact::PerformanceDensity),
        ("dram_bandwidth_gbs", NumFact::DramBandwidthGbs),
        ("interconnect_gbs", NumFact::InterconnectGbs),
        ("memory_bandwidth_density", NumFact::MemoryBandwidthDensity),
    ] {
        let c = one(&format!("{{ fact = '{name}', lt = 5.92 }}"));
        assert_eq!(
            c,
            Condition::Cmp {
                fact,
                op: tollgate_core::condition::CmpOp::Lt,
                value: "5.92".parse().unwrap()
            }
        );
        let f = F {
            num: vec![(fact, "6.50".parse().unwrap())],
            ..F::default()
        };
        assert!(!c.holds(&f, &[]));
        // The actual value is written without trailing zeros.
        assert_eq!(
            c.describe_unmet(&f),
            format!("{name} < 5.92 does not hold ({name} is 6.5)")
        );
        // Another fact's value is not this one's.
        let other = F {
            num: vec![(
                if fact == NumFact::Tpp {
                    NumFact::InterconnectGbs
                } else {
                    NumFact::Tpp
                },
                Decimal::ONE,
            )],
            ..F::default()
        };
        assert!(!c.holds(&other, &[]), "{name}");
    }
}

#[test]
fn numbers_are_read_from_integers_floats_and_strings() {
    let at = |when: &str| match one(when) {
        Condition::Cmp { value, .. } => value,
        other => panic!("{other:?}"),
    };
    assert_eq!(at("{ fact = 'tpp', ge = 4800 }"), Decimal::from(4800));
    assert_eq!(at("{ fact = 'tpp', ge = 5.92 }"), "5.92".parse().unwrap());
    assert_eq!(
        at("{ fact = 'tpp', ge = ' 21000.5 ' }"),
        "21000.5".parse().unwrap()
    );
    assert_eq!(
        problem("{ fact = 'tpp', ge = 'lots' }", Stage::Item),
        "rule[0].when[0]: 'lots' is not a decimal number: Invalid decimal: unknown character"
    );
}

#[test]
fn every_boolean_fact_is_named_and_compared_with_its_value() {
    for (name, fact) in [
        ("hbm", BoolFact::Hbm),
        ("datacenter", BoolFact::Datacenter),
        ("controlled", BoolFact::Controlled),
        ("ai_commodity", BoolFact::AiCommodity),
        ("s232_band", BoolFact::S232Band),
        ("is_informed", BoolFact::IsInformed),
        ("military_end_use", BoolFact::MilitaryEndUse),
        ("certifications_complete", BoolFact::CertificationsComplete),
        ("within_volume_cap", BoolFact::WithinVolumeCap),
    ] {
        let c = one(&format!("{{ fact = '{name}', is = true }}"));
        assert_eq!(c, Condition::Bool { fact, value: true });
        let yes = F {
            boolean: vec![(fact, true)],
            ..F::default()
        };
        let no = F {
            boolean: vec![(fact, false)],
            ..F::default()
        };
        assert!(c.holds(&yes, &[]), "{name}");
        assert!(!c.holds(&no, &[]), "{name}");
        assert!(!c.holds(&F::default(), &[]), "{name} unknown");
        assert_eq!(
            c.describe_unmet(&no),
            format!("{name} is false, the rule needs true")
        );
        assert_eq!(
            c.describe_unmet(&F::default()),
            format!("{name} is unknown, the rule needs true")
        );
    }
    let c = one("{ fact = 'hbm', is = false }");
    let hbm = F {
        boolean: vec![(BoolFact::Hbm, true)],
        ..F::default()
    };
    assert!(!c.holds(&hbm, &[]));
    assert_eq!(c.describe_unmet(&hbm), "hbm is true, the rule needs false");
}

#[test]
fn text_facts_hold_for_one_of_their_values() {
    for (name, fact) in [
        ("eccn", StrFact::Eccn),
        ("transaction", StrFact::Transaction),
        ("review_policy_rule", StrFact::ReviewPolicyRule),
    ] {
        let c = one(&format!(
            "{{ fact = '{name}', in = ['3A090.a', '4A090.a'] }}"
        ));
        assert_eq!(
            c,
            Condition::Str {
                fact,
                values: vec!["3A090.a".into(), "4A090.a".into()]
            }
        );
        let is = |v: &'static str| F {
            string: vec![(fact, v)],
            ..F::default()
        };
        assert!(c.holds(&is("4A090.a"), &[]), "{name}");
        assert!(c.holds(&is("3A090.a"), &[]), "{name}");
        assert!(!c.holds(&is("3A090.b"), &[]), "{name}");
        assert!(!c.holds(&F::default(), &[]), "{name}");
        assert_eq!(
            c.describe_unmet(&is("3A090.b")),
            format!("{name} is 3A090.b, the rule needs 3A090.a or 4A090.a")
        );
        assert_eq!(
            c.describe_unmet(&F::default()),
            format!("{name} is unknown, the rule needs 3A090.a or 4A090.a")
        );
    }
    let c = one("{ fact = 'transaction', is = 'export' }");
    assert_eq!(
        c,
        Condition::Str {
            fact: StrFact::Transaction,
            values: vec!["export".into()]
        }
    );
}

#[test]
fn country_facts_in_a_named_set_or_a_list() {
    let sets = [set(&["CN", "MO"]), set(&["DE", "FR"])];
    for (name, fact) in [
        ("destination", CountryFact::Destination),
        ("end_user_country", CountryFact::EndUserCountry),
        ("party_headquarters", CountryFact::PartyHeadquarters),
        ("ship_from", CountryFact::ShipFrom),
    ] {
        let at = |codes: &[&str]| F {
            countries: vec![(fact, cc(codes))],
            ..F::default()
        };
        // The second set: the set is found by its own name, not the first one's.
        let c = one(&format!("{{ fact = '{name}', in_set = 'eu' }}"));
        assert_eq!(
            c,
            Condition::InSet {
                fact,
                set: 1,
                set_name: "eu".into()
            }
        );
        assert!(c.holds(&at(&["US", "FR"]), &sets), "{name}");
        assert!(!c.holds(&at(&["CN", "MO"]), &sets), "{name}");
        assert!(!c.holds(&at(&[]), &sets), "{name}");
        // A set the epoch has not resolved holds for nobody.
        assert!(!c.holds(&at(&["FR"]), &sets[..1]), "{name}");
        assert_eq!(
            c.describe_unmet(&at(&["CN", "MO"])),
            format!("{name} CN/MO is not in eu")
        );
        assert_eq!(
            c.describe_unmet(&at(&[])),
            format!("{name} (none) is not in eu")
        );

        let c = one(&format!("{{ fact = '{name}', in = ['CN', 'MO'] }}"));
        assert!(c.holds(&at(&["DE", "MO"]), &[]), "{name}");
        assert!(!c.holds(&at(&["DE"]), &[]), "{name}");
        assert_eq!(
            c.describe_unmet(&at(&["DE"])),
            format!("{name} DE is not one of CN, MO")
        );
    }
}

#[test]
fn any_holds_when_one_member_does_and_explains_them_all() {
    let c = one(
        "{ any = [{ fact = 'destination', in = ['CN'] }, { fact = 'tpp', ge = 4800 }, { fact = 'hbm', is = true }] }",
    );
    let f = |dest: &str, tpp: i64| F {
        num: vec![(NumFact::Tpp, Decimal::from(tpp))],
        boolean: vec![(BoolFact::Hbm, false)],
        countries: vec![(CountryFact::Destination, cc(&[dest]))],
        ..F::default()
    };
    assert!(c.holds(&f("CN", 0), &[]));
    assert!(c.holds(&f("DE", 4800), &[]));
    assert!(!c.holds(&f("DE", 4799), &[]));
    assert_eq!(
        c.describe_unmet(&f("DE", 4799)),
        "destination DE is not one of CN; and tpp >= 4800 does not hold (tpp is 4799); and hbm is false, the rule needs true"
    );
}

#[test]
fn all_hold_and_first_unmet_read_the_list_in_order() {
    let c = compile_at(
        "{ fact = 'tpp', ge = 100 }, { fact = 'tpp', lt = 200 }, { fact = 'hbm', is = false }",
        Stage::Item,
    )
    .unwrap();
    let at = |tpp: i64, hbm: bool| F {
        num: vec![(NumFact::Tpp, Decimal::from(tpp))],
        boolean: vec![(BoolFact::Hbm, hbm)],
        ..F::default()
    };
    assert!(all_hold(&c, &at(150, false), &[]));
    assert!(first_unmet(&c, &at(150, false), &[]).is_none());
    assert!(!all_hold(&c, &at(250, false), &[]));
    assert_eq!(first_unmet(&c, &at(250, false), &[]), Some(&c[1]));
    assert_eq!(first_unmet(&c, &at(50, true), &[]), Some(&c[0]));
    assert_eq!(first_unmet(&c, &at(150, true), &[]), Some(&c[2]));
    assert!(!all_hold(&c, &at(150, true), &[]));
    assert!(all_hold(&[], &at(0, true), &[]));
}

#[test]
fn each_fact_is_known_from_its_stage_on() {
    for (when, stage) in [
        ("{ fact = 'tpp', ge = 1 }", Stage::Item),
        ("{ fact = 'eccn', is = '3A090.a' }", Stage::Classified),
        ("{ fact = 'destination', in = ['CN'] }", Stage::Order),
        ("{ fact = 'review_policy_rule', is = 'x' }", Stage::Policy),
    ] {
        assert!(compile_at(when, stage).is_ok(), "{when} at {stage:?}");
    }
    assert_eq!(
        problem("{ fact = 'eccn', is = '3A090.a' }", Stage::Item),
        "rule[0].when[0]: fact 'eccn' is not known at this point (Item facts only)"
    );
    assert_eq!(
        problem("{ fact = 'review_policy_rule', is = 'x' }", Stage::Order),
        "rule[0].when[0]: fact 'review_policy_rule' is not known at this point (Order facts only)"
    );
}

#[test]
fn malformed_conditions_are_refused_with_their_key() {
    let cases = [
        (
            "{ fact = 'tpp', any = [{ fact = 'hbm', is = true }] }",
            "rule[0].when[0]: a condition has either 'any' or 'fact', not both",
        ),
        (
            "{ any = [] }",
            "rule[0].when[0]: 'any' needs at least one condition",
        ),
        (
            "{ ge = 1 }",
            "rule[0].when[0]: missing 'fact' (or 'any')",
        ),
        (
            "{ fact = 'tpp' }",
            "rule[0].when[0]: a condition needs exactly one test: ge, gt, le, lt, eq, is, is_not, in, in_set, not_in_set or contains_any",
        ),
        (
            "{ fact = 'tpp', ge = 1, le = 2 }",
            "rule[0].when[0]: a condition needs exactly one test: ge, gt, le, lt, eq, is, is_not, in, in_set, not_in_set or contains_any",
        ),
        (
            "{ fact = 'hbm', is = true, in = ['x'] }",
            "rule[0].when[0]: a condition needs exactly one test: ge, gt, le, lt, eq, is, is_not, in, in_set, not_in_set or contains_any",
        ),
        (
            "{ fact = 'tpp', is = true }",
            "rule[0].when[0]: 'tpp' is a number: use ge, gt, le, lt or eq",
        ),
        (
            "{ fact = 'hbm', ge = 1 }",
            "rule[0].when[0]: 'hbm' is a boolean: use is = true/false or is_not = true/false",
        ),
        (
            "{ fact = 'hbm', is = 'yes' }",
            "rule[0].when[0]: 'hbm' is a boolean: use is = true/false or is_not = true/false",
        ),
        (
            "{ fact = 'eccn', is = true }",
            "rule[0].when[0]: 'eccn' is a text: use is = \"...\" or in = [...]",
        ),
        (
            "{ fact = 'eccn', in = [] }",
            "rule[0].when[0]: 'eccn' is a text: use is = \"...\" or in = [...]",
        ),
        (
            "{ fact = 'destination', is = 'CN' }",
            "rule[0].when[0]: 'destination' is a country: use in_set = \"set\" or in = [\"CC\", ...]",
        ),
        (
            "{ fact = 'destination', in = [] }",
            "rule[0].when[0]: 'destination': in = [] names no country, so the condition could never hold",
        ),
        (
            "{ fact = 'destination', in = ['CN', 'China'] }",
            "rule[0].when[0]: 'China' is not a two-letter country code",
        ),
        (
            "{ fact = 'destination', in_set = 'asia' }",
            "rule[0].when[0]: unknown set 'asia'; sets: china_macau, eu",
        ),
        (
            "{ any = [{ fact = 'hbm', is = true }, { fact = 'tops', ge = 1 }] }",
            "rule[0].when[0].any[1]: unknown fact 'tops'; known facts: tpp, performance_density, dram_bandwidth_gbs, interconnect_gbs, memory_bandwidth_density, hbm, datacenter, controlled, eccn, ai_commodity, s232_band, is_informed, military_end_use, certifications_complete, within_volume_cap, transaction, destination_address, no_part744_end_use, military_intelligence_end_use, supercomputer_end_use, advanced_node_ic_end_use, nuclear_end_use, missile_end_use, chemical_biological_end_use, destination, end_user_country, party_headquarters, ship_from, review_policy_rule",
        ),
    ];
    for (when, want) in cases {
        assert_eq!(problem(when, Stage::Policy), want, "{when}");
    }
    // The key names the condition's own place in the list.
    let e = compile_at(
        "{ fact = 'tpp', ge = 1 }, { fact = 'hbm', ge = 1 }",
        Stage::Item,
    )
    .unwrap_err();
    assert_eq!(e.key, "rule[0].when[1]");
}

#[test]
fn a_list_compiles_to_one_condition_per_entry() {
    let c = compile_at(
        "{ fact = 'tpp', ge = 1 }, { any = [{ fact = 'hbm', is = true }] }",
        Stage::Item,
    )
    .unwrap();
    assert_eq!(
        c,
        vec![
            Condition::Cmp {
                fact: NumFact::Tpp,
                op: tollgate_core::condition::CmpOp::Ge,
                value: Decimal::ONE
            },
            Condition::Any(vec![Condition::Bool {
                fact: BoolFact::Hbm,
                value: true
            }])
        ]
    );
}
