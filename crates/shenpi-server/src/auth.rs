//! Tenants and tokens: who may call, in which regions, with which role.
//!
//! A tokens file is YAML, one entry per token, the token itself never
//! stored, only its SHA-256:
//!
//! ```yaml
//! - { sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, region: "3304", role: supervisor }
//! - { sha256: 60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752, region: "330421", role: window, name: 平湖窗口 }
//! ```
//!
//! A token's region is a prefix of the regions it reaches (`""` reaches
//! all). `window` starts projects and records events; `supervisor` reads
//! status, logs and the board; `admin` does both. Every role is bounded by
//! its region.

use std::collections::HashMap;
use std::path::Path;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::problem::{Problem, ServiceCode};

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A service window (窗口): starts projects, records events.
    Window,
    /// A supervisor (电子监察): reads status, logs and the board.
    Supervisor,
    /// Both.
    Admin,
}

impl Role {
    fn parse(text: &str) -> Option<Role> {
        match text {
            "window" => Some(Role::Window),
            "supervisor" => Some(Role::Supervisor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Role::Window => "window",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }
}

/// What a call needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Writes: start projects, record events, advance.
    Write,
    /// Reads of projects: status, log, board.
    Read,
}

/// Who is calling: a region prefix and a role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// Regions starting with this are reachable.
    pub region: String,
    /// What it may do there.
    pub role: Role,
}

impl Caller {
    /// The caller of a service without tokens: everything, everywhere.
    pub fn open() -> Caller {
        Caller { region: String::new(), role: Role::Admin }
    }

    /// 403 unless the role allows `need`.
    pub fn require(&self, need: Need) -> Result<(), Problem> {
        let allowed = match need {
            Need::Write => matches!(self.role, Role::Window | Role::Admin),
            Need::Read => matches!(self.role, Role::Supervisor | Role::Admin),
        };
        if allowed {
            return Ok(());
        }
        let what = match need {
            Need::Write => "start projects or record events (roles `window`, `admin`)",
            Need::Read => "read projects (roles `supervisor`, `admin`)",
        };
        Err(Problem::service(
            ServiceCode::Forbidden,
            format!("a `{}` token may not {what}", self.role.as_str()),
        ))
    }

    /// Whether a project of `region` (`None`: no region) is within reach.
    pub fn reaches(&self, region: Option<&str>) -> bool {
        region.unwrap_or("").starts_with(&self.region)
    }
}

/// The tokens a service accepts, by the SHA-256 of each.
#[derive(Debug, Default)]
pub struct Tokens {
    by_hash: HashMap<[u8; 32], Caller>,
}

impl Tokens {
    /// Reads a tokens file.
    ///
    /// # Errors
    /// Every problem in the file, one per line, each naming the entry's line.
    pub fn load(path: &Path) -> Result<Tokens, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the tokens file `{}`: {e}", path.display()))?;
        Tokens::parse(&text).map_err(|problems| {
            let lines: Vec<String> = problems.iter().map(|p| format!("{}:{p}", path.display())).collect();
            lines.join("\n")
        })
    }

    /// Parses a tokens file's text.
    ///
    /// # Errors
    /// Every problem, as `LINE: what is wrong`.
    pub fn parse(text: &str) -> Result<Tokens, Vec<String>> {
        let docs = MarkedYaml::load_from_str(text)
            .map_err(|e| vec![format!("{}: malformed YAML: {}", e.marker().line(), e.info())])?;
        let mut tokens = Tokens::default();
        let mut problems = Vec::new();
        let entries = match docs.first().map(|d| &d.data) {
            None | Some(YamlData::Value(Scalar::Null)) => &Vec::new(),
            Some(YamlData::Sequence(items)) => items,
            Some(_) => {
                return Err(vec![
                    "1: the tokens file must be a list of `{ sha256, region, role }` entries".into(),
                ]);
            }
        };
        for entry in entries {
            match read_entry(entry) {
                Ok((hash, caller)) => {
                    if tokens.by_hash.insert(hash, caller).is_some() {
                        problems.push(format!("{}: the same token is listed twice", entry.span.start.line()));
                    }
                }
                Err(why) => problems.push(format!("{}: {why}", entry.span.start.line())),
            }
        }
        if problems.is_empty() { Ok(tokens) } else { Err(problems) }
    }

    /// How many tokens there are.
    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    /// True when no token is accepted.
    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    /// The caller a bearer token stands for.
    pub fn caller(&self, token: &str) -> Option<&Caller> {
        let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        self.by_hash.get(&hash)
    }
}

fn text_of<'a>(node: &'a MarkedYaml<'a>) -> Option<String> {
    match &node.data {
        YamlData::Value(Scalar::String(s)) => Some(s.to_string()),
        YamlData::Value(Scalar::Integer(i)) => Some(i.to_string()),
        _ => None,
    }
}

fn read_entry(entry: &MarkedYaml<'_>) -> Result<([u8; 32], Caller), String> {
    let YamlData::Mapping(map) = &entry.data else {
        return Err("each entry is a mapping `{ sha256, region, role }`".into());
    };
    let (mut hash, mut region, mut role) = (None, None, None);
    for (k, v) in map {
        let key = text_of(k).unwrap_or_default();
        match key.as_str() {
            "sha256" => hash = Some(text_of(v).ok_or("`sha256` must be text")?),
            "region" => region = Some(text_of(v).ok_or("`region` must be text, e.g. \"3304\"")?),
            "role" => role = Some(text_of(v).ok_or("`role` must be text")?),
            "name" => {}
            other => return Err(format!("unknown key `{other}`; expected sha256, region, role, name")),
        }
    }
    let hash = hash.ok_or("`sha256` is missing: the SHA-256 of the token, 64 hex digits")?;
    let hash = hex32(&hash).ok_or_else(|| format!("`sha256` must be 64 hex digits, not `{hash}`"))?;
    let region =
        region.ok_or("`region` is missing: a region code prefix such as \"3304\", or \"\" for all")?;
    if !region.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("`region` must be digits (区划代码), not `{region}`"));
    }
    let role = role.ok_or("`role` is missing: window, supervisor or admin")?;
    let role = Role::parse(&role)
        .ok_or_else(|| format!("unknown role `{role}`; expected window, supervisor or admin"))?;
    Ok((hash, Caller { region, role }))
}

fn hex32(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, Problem> {
        let Some(tokens) = &state.tokens else { return Ok(Caller::open()) };
        let unauthorized = |detail: &str| Problem::service(ServiceCode::Unauthorized, detail);
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| unauthorized("send `Authorization: Bearer <token>`"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or_else(|| unauthorized("the `Authorization` header must be `Bearer <token>`"))?;
        tokens.caller(token).cloned().ok_or_else(|| unauthorized("the token is not known to this service"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(token: &str) -> String {
        Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn a_tokens_file_maps_hashes_to_regions_and_roles() {
        let text = format!(
            "- {{ sha256: {}, region: \"3304\", role: supervisor }}\n- {{ sha256: {}, region: 330421, role: window, name: 窗口 }}\n",
            sha("county"),
            sha("window")
        );
        let tokens = Tokens::parse(&text).expect("valid");
        assert_eq!(tokens.len(), 2);
        assert_eq!(tokens.caller("county"), Some(&Caller { region: "3304".into(), role: Role::Supervisor }));
        assert_eq!(tokens.caller("window").map(|c| c.role), Some(Role::Window));
        assert_eq!(tokens.caller("nobody"), None);
    }

    #[test]
    fn every_problem_in_a_tokens_file_is_named_with_its_line() {
        let text = "- { sha256: abc, region: \"33\", role: window }\n- { sha256: ".to_string()
            + &sha("x")
            + ", region: \"33\", role: boss }\n- { region: \"33\", role: window }\n- { sha256: "
            + &sha("y")
            + ", region: zj, role: admin, colour: red }\n";
        let problems = Tokens::parse(&text).expect_err("invalid");
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].starts_with("1: `sha256` must be 64 hex digits"), "{}", problems[0]);
        assert!(problems[1].starts_with("2: unknown role `boss`"), "{}", problems[1]);
        assert!(problems[2].starts_with("3: `sha256` is missing"), "{}", problems[2]);
        assert!(problems[3].starts_with("4: unknown key `colour`"), "{}", problems[3]);
        assert!(Tokens::parse("region: 33").is_err());
        assert!(Tokens::parse("- [unclosed").is_err());
        assert!(Tokens::parse("").expect("an empty file is no tokens").is_empty());
    }

    #[test]
    fn a_region_reaches_the_regions_it_prefixes() {
        let county = Caller { region: "3304".into(), role: Role::Supervisor };
        assert!(county.reaches(Some("330421")));
        assert!(county.reaches(Some("3304")));
        assert!(!county.reaches(Some("3305")));
        assert!(!county.reaches(Some("33")));
        assert!(!county.reaches(None));
        assert!(Caller::open().reaches(None));
        assert!(Caller::open().reaches(Some("330421")));
        assert!(county.require(Need::Read).is_ok());
        assert_eq!(county.require(Need::Write).expect_err("no writes").status, 403);
    }
}
