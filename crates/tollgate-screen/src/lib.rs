//! Restricted-party screening: loads the lists users download (OFAC SDN, the trade.gov
//! Consolidated Screening List, the BIS Denied Persons List, the UN consolidated list and
//! OpenSanctions exports), normalises every name to comparable tokens, indexes them, and scores a
//! query name against its candidates with an explanation for every hit.
//!
//! Not here: deciding what a hit means for an order (tollgate-core) or storing results
//! (tollgate-store). The screener does IO only when asked to load files.

pub mod country;
mod error;
pub mod freshness;
pub mod index;
pub mod load;
pub mod model;
pub mod normalize;
pub mod order;
pub mod register;
pub mod score;
pub mod updater;

pub use error::ScreenError;
pub use load::{Format, LoadOptions, LoadedFile};
pub use model::{Entity, ListVersion, RowIssue};
pub use score::Aligned;

use index::Index;
use serde::Serialize;
use std::cell::RefCell;
use std::path::Path;

/// Default score threshold for a hit, chosen on the evaluation set `data/screening_eval/`
/// (`tests/eval.rs` prints the sweep): precision is 1.000 from 0.76 up (the best-scoring hard
/// negative sits at 0.74-0.76) and recall starts to fall above 0.80, so 0.80 keeps a margin on
/// both sides.
pub const DEFAULT_THRESHOLD: f64 = 0.80;

/// How many candidate names a query scores in full (the rest are cut by the index).
const MAX_CANDIDATES: usize = 16;
/// Names whose estimated score is below this fraction of the best candidate's are not scored.
const CANDIDATE_RATIO: f32 = 0.5;
/// Queries longer than this are refused by the CLI and the API (and cut here, for library
/// callers); bounds the work per query. Within it nothing is cut: a query of more tokens than
/// a window is scored window by window.
pub const MAX_QUERY_BYTES: usize = 1024;
/// Tokens per scoring window of a long query; windows overlap by half, so a listed name of up
/// to half a window lies whole inside one of them wherever it sits in the query.
const WINDOW_TOKENS: usize = 24;

/// A name to screen, with optional evidence.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<'a> {
    pub name: &'a str,
    /// ISO 3166-1 alpha-2 code (or a country name).
    pub country: Option<&'a str>,
    pub address: Option<&'a str>,
}

impl<'a> Query<'a> {
    pub fn name(name: &'a str) -> Self {
        Query {
            name,
            country: None,
            address: None,
        }
    }
}

/// A listed party that matches a query, with why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// The source list's own id (OFAC ent_num, CSL id/entity_number or hash, UN reference, OpenSanctions id).
    pub entity_id: String,
    /// Canonical short list name ("SDN", "Entity List", ...) or the OpenSanctions dataset.
    pub list: String,
    /// The listed name or alias that matched.
    pub matched_name: String,
    /// The entity's primary listed name.
    pub entity_name: String,
    /// Final score in [0, 1] (name score moved by country and address evidence).
    pub score: f64,
    /// One sentence: which name matched, which tokens aligned, what evidence moved the score.
    pub explanation: String,
    /// The name-only score, before evidence.
    pub name_score: f64,
    /// "primary", "alias" or "weak alias".
    pub name_kind: String,
    /// "individual", "entity", "vessel", "aircraft" or "".
    pub entity_kind: String,
    /// ISO codes the list gives for the entity.
    pub countries: Vec<String>,
    pub aligned: Vec<Aligned>,
    /// The entry's licence requirement as listed (Entity List), if the list gives one.
    pub license_requirement: Option<String>,
    /// The entry's licence review policy as listed, if the list gives one.
    pub license_policy: Option<String>,
    /// The entry's footnote markers (Entity List footnotes 1, 4, 5).
    pub footnotes: Vec<String>,
    /// The list file version the hit comes from.
    pub list_file: String,
    pub list_published: Option<String>,
    /// SHA-256 of the entry's content (list, id, kind, every name, countries, address words,
    /// licence requirement and policy, footnotes): a reviewed false positive is remembered for
    /// this content and alerted again when it changes.
    pub entry_hash: String,
    pub list_sha256: String,
}

#[derive(Debug)]
struct EntityData {
    id: String,
    list: String,
    /// 0 = primary name, then aliases.
    displays: Vec<String>,
    kind: String,
    countries: Vec<[u8; 2]>,
    addr_tokens: Vec<String>,
    license_requirement: Option<String>,
    license_policy: Option<String>,
    footnotes: Vec<String>,
    version: usize,
}

/// The content digest of a list entry (see [`Hit::entry_hash`]).
fn entry_hash(e: &EntityData) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    let mut h = Sha256::new();
    // Fields separated by a byte no list text holds, so two fields cannot run into each other.
    let mut put = |s: &str| {
        h.update(s.as_bytes());
        h.update([0x1f]);
    };
    put(&e.list);
    put(&e.id);
    put(&e.kind);
    for d in &e.displays {
        put(d);
    }
    put("|countries");
    for c in &e.countries {
        put(&country::code_str(*c));
    }
    put("|address");
    for a in &e.addr_tokens {
        put(a);
    }
    put(e.license_requirement.as_deref().unwrap_or("-"));
    put(e.license_policy.as_deref().unwrap_or("-"));
    for f in &e.footnotes {
        put(f);
    }
    let mut out = String::with_capacity(64);
    for b in h.finalize() {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The loaded lists and their index. Immutable once built, so it is `Send + Sync` and can be
/// shared (e.g. in an `Arc`) by threads and a server.
#[derive(Debug)]
pub struct Screener {
    index: Index,
    entities: Vec<EntityData>,
    versions: Vec<ListVersion>,
    issues: Vec<RowIssue>,
    threshold: f64,
    /// How current the lists are, when the caller knows (CLI, server); `None` for a screener
    /// built from files alone, which then never warns.
    freshness: Option<std::sync::Arc<freshness::Freshness>>,
}

/// A display name's index, weak flag, token variants and surname tokens, ready to index.
type PreparedName = (u32, bool, Vec<Vec<String>>, Vec<String>);

/// A person's "SURNAME, Given" display name: the surname's tokens (so a query must give them).
fn surname_tokens(display: &str, person: bool) -> Vec<String> {
    match display.split_once(',') {
        Some((sur, _)) if person => normalize::variants(sur)
            .into_iter()
            .next()
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

#[derive(Default)]
struct Scratch {
    acc: Vec<f32>,
    touched: Vec<u32>,
    /// The current query variant's weights (a name keeps its best variant's, not the sum).
    cur: Vec<f32>,
    cur_touched: Vec<u32>,
    neigh: Vec<(u32, f32)>,
    seen: rustc_hash::FxHashSet<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

fn address_tokens(addr: &str) -> Vec<String> {
    normalize::address_words(addr)
        .into_iter()
        .filter(|t| {
            t.len() >= 3 && !normalize::is_legal(t) && !t.bytes().all(|b| b.is_ascii_digit())
        })
        .collect()
}

/// Chinese-character names of listed Chinese parties that the lists give only in English
/// ("浪潮集团有限公司" is "Inspur Group Co., Ltd."): `data/screening/chinese_names.csv`, each
/// row with its source. Added as aliases to every listed entity of that exact name.
const CHINESE_NAMES: &str = include_str!("../../../data/screening/chinese_names.csv");

/// Upper-case letters and digits only: how a table row names a listed entity.
fn name_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// (listed name key, Chinese name) rows of the bundled table.
fn chinese_names() -> Vec<(String, String)> {
    let mut r = csv::Reader::from_reader(CHINESE_NAMES.as_bytes());
    r.records()
        .filter_map(|rec| rec.ok())
        .filter(|rec| rec.len() >= 2)
        .map(|rec| (name_key(&rec[1]), rec[0].to_string()))
        .collect()
}

fn add_chinese_names(entities: &mut [model::Entity]) {
    let table = chinese_names();
    let mut by_key: rustc_hash::FxHashMap<&str, Vec<&str>> = rustc_hash::FxHashMap::default();
    for (k, zh) in &table {
        by_key.entry(k.as_str()).or_default().push(zh.as_str());
    }
    for e in entities.iter_mut() {
        let Some(zh) = by_key.get(name_key(&e.name).as_str()) else {
            continue;
        };
        for z in zh {
            let alias = (z.to_string(), false);
            if !e.aliases.contains(&alias) {
                e.aliases.push(alias);
            }
        }
    }
}

impl Screener {
    /// The lists bundled with tollgate (data/lists/ compiled in).
    pub fn bundled() -> Result<Screener, ScreenError> {
        Ok(Screener::build(load::load_bundled()?))
    }

    /// Every recognised list file in `dir`.
    pub fn from_dir(dir: &Path) -> Result<Screener, ScreenError> {
        Screener::from_dir_with(dir, LoadOptions::default())
    }

    pub fn from_dir_with(dir: &Path, opts: LoadOptions) -> Result<Screener, ScreenError> {
        Ok(Screener::build(load::load_dir(dir, opts)?))
    }

    /// Builds the index from loaded files (see `load::assemble`: stale CSL rows of a list a newer
    /// file covers are dropped, OFAC side files folded into sdn.csv's records).
    pub fn build(files: Vec<LoadedFile>) -> Screener {
        use rayon::prelude::*;
        // CSL rows of lists a newer dedicated file covers dropped, OFAC side files folded in,
        // the same party in two files of one list kept once.
        let load::Assembled {
            versions,
            issues,
            entities: entities_raw,
        } = load::assemble(files);
        let mut entities_raw = entities_raw;
        add_chinese_names(&mut entities_raw);
        // Normalisation is the costly part of a build: do it on all cores.
        let prepared: Vec<(EntityData, Vec<PreparedName>)> = entities_raw
            .into_par_iter()
            .map(|e| {
                let mut displays = vec![e.name.clone()];
                let person = e.kind == "individual";
                let mut names = vec![(
                    0u32,
                    false,
                    normalize::variants(&e.name),
                    surname_tokens(&e.name, person),
                )];
                for (a, weak) in &e.aliases {
                    if displays.contains(a) {
                        continue;
                    }
                    displays.push(a.clone());
                    names.push((
                        (displays.len() - 1) as u32,
                        *weak,
                        normalize::variants(a),
                        surname_tokens(a, person),
                    ));
                }
                let mut countries: Vec<[u8; 2]> = e
                    .countries
                    .iter()
                    .filter_map(|c| country::resolve(c))
                    .collect();
                countries.sort_unstable();
                countries.dedup();
                let mut addr_tokens: Vec<String> =
                    e.addresses.iter().flat_map(|a| address_tokens(a)).collect();
                addr_tokens.sort_unstable();
                addr_tokens.dedup();
                (
                    EntityData {
                        id: e.id,
                        list: e.list,
                        displays,
                        kind: e.kind,
                        countries,
                        addr_tokens,
                        license_requirement: e.license_requirement,
                        license_policy: e.license_policy,
                        footnotes: e.footnotes,
                        version: e.version,
                    },
                    names,
                )
            })
            .collect();
        let mut index = Index::default();
        let mut entities = Vec::with_capacity(prepared.len());
        for (ei, (data, names)) in prepared.into_iter().enumerate() {
            let mut done: Vec<Vec<String>> = Vec::new();
            let person = data.kind == "individual";
            for (display, weak, variants, surname) in names {
                for v in variants {
                    if done.contains(&v) {
                        continue;
                    }
                    index.add(ei as u32, display, weak, person, &surname, &v);
                    done.push(v);
                }
            }
            entities.push(data);
        }
        index.finish();
        Screener {
            index,
            entities,
            versions,
            issues,
            threshold: DEFAULT_THRESHOLD,
            freshness: None,
        }
    }

    /// The bundled lists with the sources updated into the list directory `dir` in their
    /// place (`updater::load_current`), carrying their ages against `max_age_days`.
    pub fn current(
        dir: &Path,
        max_age_days: u32,
        opts: LoadOptions,
    ) -> Result<Screener, ScreenError> {
        let c = updater::load_current(dir, opts)?;
        Ok(
            Screener::build(c.files)
                .with_freshness(freshness::Freshness::new(c.ages, max_age_days)),
        )
    }

    /// Exactly the files of `dir` (`--lists DIR`), carrying their ages.
    pub fn exact(
        dir: &Path,
        max_age_days: u32,
        opts: LoadOptions,
    ) -> Result<Screener, ScreenError> {
        let c = updater::load_exact(dir, opts)?;
        Ok(
            Screener::build(c.files)
                .with_freshness(freshness::Freshness::new(c.ages, max_age_days)),
        )
    }

    /// Attaches the lists' ages: screening results and decisions then carry the `stale_lists`
    /// warning while a list is older than the maximum age.
    pub fn with_freshness(mut self, f: freshness::Freshness) -> Self {
        self.freshness = Some(std::sync::Arc::new(f));
        self
    }

    pub fn freshness(&self) -> Option<&freshness::Freshness> {
        self.freshness.as_deref()
    }

    /// The `stale_lists` warning, now, when a list is too old (empty otherwise, and for a
    /// screener without ages).
    pub fn warnings(&self) -> Vec<tollgate_core::decide::Warning> {
        self.freshness
            .as_ref()
            .map(|f| f.warnings())
            .unwrap_or_default()
    }

    pub fn with_threshold(mut self, t: f64) -> Self {
        self.threshold = t;
        self
    }

    /// The rarity weight (idf) the scorer gives a normalised token, None when no listed name
    /// has it; for diagnostics (`examples/probe.rs`).
    pub fn token_idf(&self, token: &str) -> Option<f32> {
        self.index
            .by_raw
            .get(token)
            .map(|&id| self.index.vocab[id as usize].idf)
    }

    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    pub fn versions(&self) -> &[ListVersion] {
        &self.versions
    }

    /// Malformed rows skipped while loading.
    pub fn issues(&self) -> &[RowIssue] {
        &self.issues
    }

    /// Entities and indexed name variants.
    pub fn len(&self) -> (usize, usize) {
        (self.entities.len(), self.index.names.len())
    }

    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// Hits at or above the threshold, best first (one per listed entity).
    pub fn screen(&self, q: &Query) -> Vec<Hit> {
        self.screen_at(q, self.threshold)
    }

    /// The best hit whatever its score (None when nothing shares a token); for evaluation.
    pub fn best(&self, q: &Query) -> Option<Hit> {
        self.screen_at(q, 0.0).into_iter().next()
    }

    /// Hits at or above `threshold`, best first.
    pub fn screen_at(&self, q: &Query, threshold: f64) -> Vec<Hit> {
        let name = match q.name.char_indices().nth(MAX_QUERY_BYTES) {
            Some((i, _)) => &q.name[..i],
            None => q.name,
        };
        let qvars = self.query_forms(name);
        if qvars.is_empty() {
            return Vec::new();
        }
        let candidates = SCRATCH.with(|s| self.candidates(&qvars, &mut s.borrow_mut()));
        let q_country = q.country.and_then(country::resolve);
        let q_addr = q.address.map(address_tokens).unwrap_or_default();
        let q_legal = qvars.iter().any(|v| !v.legal.is_empty());

        // Best name per entity.
        let mut best: Vec<(u32, f32, score::NameScore, u32)> = Vec::new();
        for &n in &candidates {
            let rec = &self.index.names[n as usize];
            let mut top: Option<score::NameScore> = None;
            for v in &qvars {
                let s = score::score_name(&self.index, v, rec, false);
                if top.as_ref().is_none_or(|t| s.score > t.score) {
                    top = Some(s);
                }
            }
            let Some(mut s) = top else { continue };
            if rec.weak {
                s.score *= 0.95;
            }
            let e = &self.entities[rec.entity as usize];
            if q_legal && e.kind == "individual" {
                // A company form in the query makes a person on the list less likely.
                s.score *= 0.9;
            }
            match best.iter_mut().find(|b| b.0 == rec.entity) {
                Some(b) if b.1 >= s.score => {}
                Some(b) => *b = (rec.entity, s.score, s, n),
                None => best.push((rec.entity, s.score, s, n)),
            }
        }
        // The alignment text is built only for names that become hits.
        for b in best.iter_mut() {
            if (b.1 as f64) + 0.2 < threshold {
                continue;
            }
            let rec = &self.index.names[b.3 as usize];
            let mut top: Option<score::NameScore> = None;
            for v in &qvars {
                let s = score::score_name(&self.index, v, rec, true);
                if top.as_ref().is_none_or(|t| s.score > t.score) {
                    top = Some(s);
                }
            }
            if let Some(t) = top {
                b.2.aligned = t.aligned;
                b.2.compact = t.compact;
                b.2.contained = t.contained;
            }
        }
        let mut hits: Vec<Hit> = best
            .into_iter()
            .filter_map(|(ei, name_score, ns, n)| {
                let e = &self.entities[ei as usize];
                let rec = &self.index.names[n as usize];
                let mut notes = Vec::new();
                let score = self.evidence(e, q_country, &q_addr, name_score, &mut notes) as f64;
                let score = (score * 1000.0).round() / 1000.0;
                if score < threshold {
                    return None;
                }
                Some(self.hit(e, rec, &ns, name_score, score, notes))
            })
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.list.cmp(&b.list))
                .then_with(|| a.entity_id.cmp(&b.entity_id))
        });
        hits
    }

    /// The query's token variants (normalisation, look-alike and digit readings, joined or
    /// spaced-out words split against the lists' vocabulary), each cut into overlapping
    /// windows when longer than a window.
    fn query_forms(&self, name: &str) -> Vec<score::QVar> {
        let mut forms = normalize::query_variants(name);
        let n = forms.len();
        for k in 0..n {
            if let Some(v) = self.resegment(&forms[k]) {
                if !forms.contains(&v) {
                    forms.push(v);
                }
            }
        }
        let mut out = Vec::with_capacity(forms.len());
        for (k, f) in forms.iter().enumerate() {
            let segmented = k >= n;
            let var = |toks: &[String]| {
                let mut v = score::QVar::new(&self.index, toks);
                v.segmented = segmented;
                v
            };
            let words = f.iter().filter(|t| !normalize::is_legal(t)).count();
            if words <= WINDOW_TOKENS {
                out.push(var(f));
                continue;
            }
            let mut start = 0;
            loop {
                let end = (start + WINDOW_TOKENS).min(f.len());
                out.push(var(&f[start..end]));
                if end == f.len() {
                    break;
                }
                start += WINDOW_TOKENS / 2;
            }
        }
        out.retain(|v| !v.toks.is_empty());
        out
    }

    /// Tokens that are several listed words run together ("BANCONACIONALDECUBA") split against
    /// the vocabulary; None when nothing changed. (Letters spaced out are joined before, in
    /// `normalize::query_variants`.)
    fn resegment(&self, toks: &[String]) -> Option<Vec<String>> {
        let mut out: Vec<String> = Vec::with_capacity(toks.len() + 4);
        let mut changed = false;
        for t in toks {
            match (!normalize::is_legal(t))
                .then(|| self.index.segment(t))
                .flatten()
            {
                Some(pieces) => {
                    out.extend(pieces);
                    changed = true;
                }
                None => out.push(t.clone()),
            }
        }
        changed.then(|| normalize::canonicalise(out, usize::MAX))
    }

    /// Country and address move a name score that stands on its own (>= 0.5) by a bounded
    /// amount: never enough to make a weak name match a hit by themselves.
    fn evidence(
        &self,
        e: &EntityData,
        q_country: Option<[u8; 2]>,
        q_addr: &[String],
        name_score: f32,
        notes: &mut Vec<String>,
    ) -> f32 {
        let mut s = name_score;
        if s < 0.5 {
            return s;
        }
        if let Some(c) = q_country {
            if !e.countries.is_empty() {
                if e.countries.contains(&c) {
                    let up = (1.0 - s) * 0.2;
                    s += up;
                    notes.push(if up >= 0.0005 {
                        format!("country {} matches (+{up:.3})", country::code_str(c))
                    } else {
                        format!("country {} matches", country::code_str(c))
                    });
                } else {
                    s -= 0.04;
                    notes.push(format!(
                        "country {} not among the listed {} (-0.040)",
                        country::code_str(c),
                        e.countries
                            .iter()
                            .map(|c| country::code_str(*c))
                            .collect::<Vec<_>>()
                            .join("/")
                    ));
                }
            }
        }
        if !q_addr.is_empty() && !e.addr_tokens.is_empty() {
            let shared: Vec<&String> = q_addr
                .iter()
                .filter(|t| e.addr_tokens.binary_search(t).is_ok())
                .collect();
            if !shared.is_empty() {
                let up = (1.0 - s) * 0.15 * shared.len() as f32 / q_addr.len() as f32;
                s += up;
                notes.push(format!(
                    "address shares {} (+{up:.3})",
                    shared
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        s.clamp(0.0, 1.0)
    }

    fn hit(
        &self,
        e: &EntityData,
        rec: &index::NameRec,
        ns: &score::NameScore,
        name_score: f32,
        score: f64,
        notes: Vec<String>,
    ) -> Hit {
        let matched = e.displays[rec.display as usize].clone();
        let name_kind = match (rec.display, rec.weak) {
            (0, _) => "primary",
            (_, true) => "weak alias",
            _ => "alias",
        };
        let v = &self.versions[e.version];
        let tokens = ns
            .aligned
            .iter()
            .map(|a| {
                if a.similarity >= 1.0 {
                    a.query.clone()
                } else {
                    format!("{}~{} ({:.2})", a.query, a.listed, a.similarity)
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut explanation = format!(
            "{} name \"{}\" of {} {} on {}: name score {:.3}; aligned tokens: {}",
            name_kind,
            matched,
            if e.kind.is_empty() { "entry" } else { &e.kind },
            e.id,
            e.list,
            name_score,
            if tokens.is_empty() { "none" } else { &tokens }
        );
        if ns.compact {
            explanation.push_str("; whole-name spelling match (joined/split words)");
        }
        match ns.contained {
            score::Containment::ListedInQuery => {
                explanation.push_str("; every word of the listed name is in the query")
            }
            score::Containment::QueryInListed => explanation
                .push_str("; every word of the query is part of the listed person's name"),
            score::Containment::None => {}
        }
        for n in &notes {
            explanation.push_str("; ");
            explanation.push_str(n);
        }
        Hit {
            entity_id: e.id.clone(),
            list: e.list.clone(),
            matched_name: matched,
            entity_name: e.displays[0].clone(),
            score,
            explanation,
            name_score: (name_score as f64 * 1000.0).round() / 1000.0,
            name_kind: name_kind.into(),
            entity_kind: e.kind.clone(),
            countries: e.countries.iter().map(|c| country::code_str(*c)).collect(),
            aligned: ns.aligned.clone(),
            license_requirement: e.license_requirement.clone(),
            license_policy: e.license_policy.clone(),
            footnotes: e.footnotes.clone(),
            list_file: v.file.clone(),
            list_published: v.published.clone(),
            list_sha256: v.sha256.clone(),
            entry_hash: entry_hash(e),
        }
    }

    /// Candidate names from the index: names sharing a token (or a near-typo, or a joined
    /// pair) with the query, ranked by the idf they share; only the best are scored.
    fn candidates(&self, qvars: &[score::QVar], s: &mut Scratch) -> Vec<u32> {
        let ix = &self.index;
        if s.acc.len() < ix.names.len() {
            s.acc.resize(ix.names.len(), 0.0);
            s.cur.resize(ix.names.len(), 0.0);
        }
        s.touched.clear();
        s.cur_touched.clear();
        // Very common tokens ("al", "bank") only seed candidates when nothing rarer does.
        let common = (ix.names.len() / 32).max(200);
        let Scratch {
            acc,
            touched,
            cur,
            cur_touched,
            neigh,
            seen,
        } = s;
        let add = |name: u32, w: f32, acc: &mut Vec<f32>, touched: &mut Vec<u32>| {
            let a = &mut acc[name as usize];
            if *a == 0.0 {
                touched.push(name);
            }
            *a += w;
        };
        for v in qvars {
            let mut lists: Vec<(u32, f32)> = Vec::new();
            for t in &v.toks {
                ix.neighbours(&t.raw, &t.skel, v.toks.len() > 1, neigh, seen);
                lists.extend(neigh.iter().copied());
                // The query token may be two listed tokens joined ("huawei" ~ "hua wei").
                if let Some(names) = ix.joined.get(&index::hash_str(&t.skel)) {
                    for &n in names {
                        add(n, t.idf, cur, cur_touched);
                    }
                }
            }
            for w in v.toks.windows(2) {
                // Two query tokens may be one listed token split ("rosoboron export"), or two
                // Wade-Giles syllables one pinyin token ("hsien fa" ~ "xianfa").
                let raw = format!("{}{}", w[0].raw, w[1].raw);
                if let Some(ids) = ix.by_skel.get(normalize::skeleton(&raw).as_str()) {
                    lists.extend(ids.iter().map(|&i| (i, 1.0)));
                }
                for k in [
                    normalize::chinese_key(&raw),
                    normalize::chinese_key_wade_giles_j(&raw),
                ]
                .into_iter()
                .flatten()
                {
                    if let Some(ids) = ix.by_ckey.get(k.as_str()) {
                        lists.extend(ids.iter().map(|&i| (i, score::CKEY_SIMILARITY)));
                    }
                }
            }
            let has_rare = lists
                .iter()
                .any(|&(id, _)| ix.postings[id as usize].len() <= common);
            for (id, sim) in lists {
                let p = &ix.postings[id as usize];
                if has_rare && p.len() > common {
                    continue;
                }
                let w = ix.vocab[id as usize].idf * sim;
                for &n in p {
                    add(n, w, cur, cur_touched);
                }
            }
            for &n in cur_touched.iter() {
                let (a, c) = (&mut acc[n as usize], &mut cur[n as usize]);
                if *a == 0.0 {
                    touched.push(n);
                }
                *a = a.max(*c);
                *c = 0.0;
            }
            cur_touched.clear();
        }
        // Rank by the coverage both names would have if every shared weight aligned: an
        // estimate of the final score that prefers "AL SHAM CO" over "AL SHAM ... (ten words)".
        let q_sum = qvars
            .iter()
            .map(|v| v.toks.iter().map(|t| t.idf).sum::<f32>())
            .fold(0.0f32, f32::max)
            .max(f32::EPSILON);
        let est = |n: u32, a: f32| {
            // The compact per-name array, not the name records: this loop touches thousands.
            let m = ix.meta[n as usize];
            let n_sum = m.idf_sum.max(f32::EPSILON);
            let (cq, cn) = ((a / q_sum).min(1.0), (a / n_sum).min(1.0));
            // A distinctive listed name wholly inside a long query ranks by its own coverage
            // (the scorer's containment rule); short common names must not flood the cut.
            let base = 0.35 * (cq + cn) + 0.3 * cq.min(cn);
            if m.containable {
                base.max(0.9 * cn * cn)
            } else {
                base
            }
        };
        // Ties on the estimate (every name wholly covered) go to the names sharing more weight.
        let mut c: Vec<(u32, f32)> = touched
            .iter()
            .map(|&n| {
                let a = acc[n as usize];
                (n, est(n, a) + a.min(40.0) * 1e-4)
            })
            .collect();
        let max = c.iter().map(|x| x.1).fold(0.0f32, f32::max);
        c.retain(|&(_, e)| e >= max * CANDIDATE_RATIO);
        for &n in touched.iter() {
            acc[n as usize] = 0.0;
        }
        if c.len() > MAX_CANDIDATES {
            c.select_nth_unstable_by(MAX_CANDIDATES - 1, |a, b| b.1.total_cmp(&a.1));
            c.truncate(MAX_CANDIDATES);
        }
        c.into_iter().map(|(n, _)| n).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    fn bundled() -> &'static Screener {
        static S: OnceLock<Screener> = OnceLock::new();
        S.get_or_init(|| Screener::bundled().expect("bundled lists load"))
    }

    fn top(name: &str) -> Option<Hit> {
        bundled().screen(&Query::name(name)).into_iter().next()
    }

    #[test]
    fn every_chinese_name_row_names_a_bundled_entity() {
        let files = load::load_bundled().expect("bundled");
        let load::Assembled { entities, .. } = load::assemble(files);
        let keys: rustc_hash::FxHashSet<String> =
            entities.iter().map(|e| name_key(&e.name)).collect();
        let rows = chinese_names();
        assert!(rows.len() >= 25);
        for (k, zh) in &rows {
            assert!(keys.contains(k), "{zh}: no bundled entity named {k}");
        }
        let h = top("浪潮集團有限公司").expect("Traditional spelling of Inspur's name");
        assert_eq!(h.entity_name, "Inspur Group Co., Ltd.");
    }

    #[test]
    fn screener_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Screener>();
    }

    #[test]
    fn exact_sdn_name_scores_one_with_explanation() {
        let h = top("AEROCARIBBEAN AIRLINES").expect("hit");
        assert_eq!((h.entity_id.as_str(), h.list.as_str()), ("36", "SDN"));
        assert_eq!(h.score, 1.0);
        assert!(h.explanation.contains("aerocaribbean"), "{}", h.explanation);
        assert_eq!(h.list_file, "sdn.csv");
    }

    #[test]
    fn legal_form_and_order_variants_match() {
        let h = top("Anglo Caribbean Company Limited").expect("hit");
        assert_eq!(h.entity_id, "173");
        let h = top("Cuba Banco Nacional").expect("hit");
        assert_eq!(h.entity_id, "306");
    }

    #[test]
    fn typos_and_aliases_match() {
        assert_eq!(
            top("Aerocaribean Airlnes").map(|h| h.entity_id).as_deref(),
            Some("36")
        );
        let h = top("National Bank of Cuba").expect("alias hit");
        assert_eq!(h.entity_id, "306");
        assert_eq!(h.name_kind, "alias");
    }

    #[test]
    fn unrelated_names_do_not_hit() {
        for n in [
            "Microsoft Corporation",
            "Siemens AG",
            "Toyota Motor Corporation",
            "x",
        ] {
            assert!(top(n).is_none(), "{n}: {:?}", top(n));
        }
    }

    #[test]
    fn country_is_evidence_but_never_alone() {
        let s = bundled();
        let plain = s.best(&Query::name("BANCO NACIONAL DE CUBA")).unwrap();
        let same = s
            .best(&Query {
                name: "BANCO NACIONAL DE CUBA",
                country: Some("CH"),
                address: None,
            })
            .unwrap();
        assert!(same.score >= plain.score);
        // A country alone never makes an unrelated name a hit.
        let hits = s.screen(&Query {
            name: "Havana Club Rum Distributors",
            country: Some("CU"),
            address: Some("Havana"),
        });
        assert!(hits.iter().all(|h| h.name_score >= 0.7), "{hits:?}");
    }

    #[test]
    fn bundled_lists_have_versions() {
        let v = bundled().versions();
        assert_eq!(v.len(), load::BUNDLED.len());
        assert!(v.iter().all(|v| v.sha256.len() == 64 && v.rows > 0));
    }
}
