//! Reading the licence review policy a restricted-party list entry states (the Entity List's
//! "License Review Policy" column, 15 CFR 744.11 and Supp. No. 4 to Part 744), as one of the four
//! review policies of the decision.
//!
//! The mapping (a mechanism: the wording is the EAR's own, the rule that the entry's policy governs
//! is the pack's `[[screening_effect]]`):
//!
//! | the entry says (any case, hyphens or spaces) | review policy |
//! |---|---|
//! | "policy of denial" | `policy_of_denial` |
//! | "presumption of denial" | `presumption_of_denial` |
//! | "case-by-case" / "case by case" | `case_by_case` |
//! | "presumption of approval" | `presumption_of_approval` |
//!
//! A text naming one of them states that policy ([`EntryPolicy::Stated`]). A text naming several,
//! e.g. "Case-by-case review for items ...; presumption of denial for all other items", is split
//! into clauses at `;`. For a 3A090/4A090 item, a clause that names the item's ECCN (and says no
//! "except", "other than", "apart from", "excluding" or "not") is the one that applies to it
//! ([`EntryPolicy::ForEccn`]); otherwise the scope of each clause is prose this engine cannot
//! evaluate, so the most restrictive policy stated applies ([`EntryPolicy::MostRestrictive`]).
//! A text naming none of them (e.g. "See § 744.2(d) of the EAR") is [`EntryPolicy::Unrecognised`],
//! and an entry without the column (the eCFR extract) is [`EntryPolicy::Unstated`]: the decision
//! then takes the pack's policy for the list and says so.

use crate::pack::ReviewPolicy;

/// How the review policy of a list entry was read for an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryPolicy {
    /// The entry states one review policy.
    Stated(ReviewPolicy),
    /// The entry states several; a clause naming the item's ECCN states this one.
    ForEccn(ReviewPolicy),
    /// The entry states several and none can be told to apply to the item: the most restrictive.
    MostRestrictive(ReviewPolicy),
    /// The entry has a review policy text that names none of the four policies.
    Unrecognised,
    /// The entry states no review policy.
    Unstated,
}

impl EntryPolicy {
    /// The policy the entry gives, when it gives one.
    pub fn policy(&self) -> Option<ReviewPolicy> {
        match *self {
            EntryPolicy::Stated(p) | EntryPolicy::ForEccn(p) | EntryPolicy::MostRestrictive(p) => {
                Some(p)
            }
            EntryPolicy::Unrecognised | EntryPolicy::Unstated => None,
        }
    }
}

/// The review policy phrases, most restrictive first ("policy of denial" is looked for as such,
/// so "presumption of denial" never reads as it).
const PHRASES: [(&str, ReviewPolicy); 4] = [
    ("policy of denial", ReviewPolicy::PolicyOfDenial),
    ("presumption of denial", ReviewPolicy::PresumptionOfDenial),
    ("case by case", ReviewPolicy::CaseByCase),
    (
        "presumption of approval",
        ReviewPolicy::PresumptionOfApproval,
    ),
];

/// Words that make a clause's mention of an ECCN an exclusion rather than its scope.
const EXCLUDING: [&str; 5] = ["except", "other than", "apart from", "excluding", "not "];

/// Lower case, hyphens and runs of white space as one space.
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c == '-' || c == '\u{2010}' || c == '\u{2011}' || c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// The policies a (folded) text states, most restrictive first, without repeats.
fn stated(folded: &str) -> Vec<ReviewPolicy> {
    PHRASES
        .iter()
        .filter(|(p, _)| folded.contains(p))
        .map(|(_, r)| *r)
        .collect()
}

/// Whether a (folded) clause names the (folded) ECCN: the whole ECCN ("3a090.a"), or its
/// five-character base not followed by a paragraph ("3a090", "3a090 items").
fn names_eccn(clause: &str, eccn: &str) -> bool {
    if clause.contains(eccn) {
        return true;
    }
    let base = match eccn.get(..5) {
        Some(b) => b,
        None => return false,
    };
    clause.match_indices(base).any(|(i, _)| {
        let before = clause[..i].chars().next_back();
        let after = clause[i + base.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.')
    })
}

/// Whether an item of this ECCN is one the clause test applies to (3A090/4A090).
fn advanced_computing(eccn: &str) -> bool {
    let e = eccn.to_ascii_uppercase();
    e.starts_with("3A090") || e.starts_with("4A090")
}

/// Reads an entry's review policy text for an item of `eccn` (e.g. `3A090.a`, `not_3A090`).
pub fn read(text: Option<&str>, eccn: &str) -> EntryPolicy {
    let text = match text.map(str::trim) {
        None | Some("") => return EntryPolicy::Unstated,
        Some(t) => t,
    };
    let folded = fold(text);
    let all = stated(&folded);
    match all.as_slice() {
        [] => return EntryPolicy::Unrecognised,
        [one] => return EntryPolicy::Stated(*one),
        _ => {}
    }
    if advanced_computing(eccn) {
        let e = fold(eccn);
        let named = folded
            .split(';')
            .filter(|c| names_eccn(c, &e) && !EXCLUDING.iter().any(|x| c.contains(x)))
            .filter_map(|c| stated(c).first().copied())
            .max();
        if let Some(p) = named {
            return EntryPolicy::ForEccn(p);
        }
    }
    EntryPolicy::MostRestrictive(all[0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReviewPolicy::*;

    #[test]
    fn the_four_policies_as_the_entity_list_writes_them() {
        let r = |t| read(Some(t), "3A090.a");
        assert_eq!(
            r("Presumption of denial."),
            EntryPolicy::Stated(PresumptionOfDenial)
        );
        assert_eq!(r("Policy of denial."), EntryPolicy::Stated(PolicyOfDenial));
        assert_eq!(r("Case-by-case review."), EntryPolicy::Stated(CaseByCase));
        assert_eq!(r("case by case"), EntryPolicy::Stated(CaseByCase));
        assert_eq!(
            r("Case\u{2011}by\u{2011}case review"),
            EntryPolicy::Stated(CaseByCase)
        );
        assert_eq!(
            r("Presumption of approval."),
            EntryPolicy::Stated(PresumptionOfApproval)
        );
        assert_eq!(
            r("PRESUMPTION  OF\nDENIAL"),
            EntryPolicy::Stated(PresumptionOfDenial)
        );
    }

    #[test]
    fn no_text_and_unknown_text() {
        assert_eq!(read(None, "3A090.a"), EntryPolicy::Unstated);
        assert_eq!(read(Some("  "), "3A090.a"), EntryPolicy::Unstated);
        assert_eq!(
            read(
                Some("See §§ 744.2(d), 744.3(d) and 744.4(d) of the EAR."),
                "3A090.a"
            ),
            EntryPolicy::Unrecognised
        );
        assert_eq!(EntryPolicy::Unrecognised.policy(), None);
        assert_eq!(EntryPolicy::Unstated.policy(), None);
    }

    #[test]
    fn mixed_texts_take_the_most_restrictive_stated() {
        // SMIC's entry: the scope of the denial clause is prose, so it cannot be told apart.
        let smic =
            "Presumption of denial for items uniquely required to produce semiconductors at \
                    advanced technology nodes 10 nanometers and below, including extreme \
                    ultraviolet technology; case-by-case review for all other items.";
        assert_eq!(
            read(Some(smic), "3A090.a"),
            EntryPolicy::MostRestrictive(PresumptionOfDenial)
        );
        let t = "Case-by-case review for items necessary to detect, identify and treat \
                 infectious disease; presumption of denial for all other items subject to the EAR.";
        assert_eq!(
            read(Some(t), "3A090.a"),
            EntryPolicy::MostRestrictive(PresumptionOfDenial)
        );
        assert_eq!(
            read(Some(t), "not_3A090"),
            EntryPolicy::MostRestrictive(PresumptionOfDenial)
        );
        let t = "Policy of denial for all items subject to the EAR apart from food and medicine \
                 designated as EAR99; case-by-case review for EAR99 food and medicine.";
        assert_eq!(
            read(Some(t), "3A090.a"),
            EntryPolicy::MostRestrictive(PolicyOfDenial)
        );
        assert_eq!(
            EntryPolicy::MostRestrictive(PolicyOfDenial).policy(),
            Some(PolicyOfDenial)
        );
    }

    #[test]
    fn a_clause_naming_the_items_eccn_applies_to_it() {
        let t = "Case-by-case review for ECCNs 3A090 and 4A090; presumption of denial for all \
                 other items subject to the EAR.";
        assert_eq!(read(Some(t), "3A090.a"), EntryPolicy::ForEccn(CaseByCase));
        assert_eq!(read(Some(t), "4A090.b"), EntryPolicy::ForEccn(CaseByCase));
        // Only 3A090/4A090 items are told apart; other items take the most restrictive.
        assert_eq!(
            read(Some(t), "not_3A090"),
            EntryPolicy::MostRestrictive(PresumptionOfDenial)
        );
        let t = "Presumption of denial for 3A090.a items; case-by-case review for 3A090.b items.";
        assert_eq!(
            read(Some(t), "3A090.a"),
            EntryPolicy::ForEccn(PresumptionOfDenial)
        );
        assert_eq!(read(Some(t), "3A090.b"), EntryPolicy::ForEccn(CaseByCase));
        // Another ECCN of the same base with a paragraph is not the item's.
        assert_eq!(
            read(Some(t), "3A090.c"),
            EntryPolicy::MostRestrictive(PresumptionOfDenial)
        );
    }

    #[test]
    fn an_eccn_named_as_an_exclusion_or_inside_another_number_does_not_count() {
        let t = "Case-by-case review for all items except 3A090 and 4A090 items; presumption of \
                 denial for 3A090 and 4A090 items.";
        assert_eq!(
            read(Some(t), "3A090.a"),
            EntryPolicy::ForEccn(PresumptionOfDenial)
        );
        let t = "Case-by-case review for items other than 3A090; policy of denial for the rest.";
        assert_eq!(
            read(Some(t), "3A090.a"),
            EntryPolicy::MostRestrictive(PolicyOfDenial)
        );
        let t = "Presumption of approval for 13A0901 items; presumption of denial for others.";
        assert_eq!(
            read(Some(t), "3A090.a"),
            EntryPolicy::MostRestrictive(PresumptionOfDenial)
        );
    }
}
