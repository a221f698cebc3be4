//! How a department handles one application (办理), as a flow declares it:
//! the acceptance window of Art. 32 (`acceptance_limit`), the extension of
//! Art. 42 (`extension`), caps on the kinds of time Art. 45 leaves out of a
//! limit (`procedures`), and what a re-application counts (`reapplication`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::load::Builder;
use crate::yaml::{Fields, Node};

/// Art. 32: a department answers a filing (收件) within 5 working days, or it is accepted.
pub const DEFAULT_ACCEPTANCE_LIMIT: u32 = 5;

/// Art. 42: the head of the department may extend a limit by 10 working days.
pub const DEFAULT_EXTENSION: u32 = 10;

/// A kind of time Art. 45 of the licensing law leaves out of a limit: what a
/// `procedure-started` event stops the clock for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProcedureKind {
    /// 听证: a hearing.
    Hearing,
    /// 招标、拍卖: a tender or an auction.
    Tender,
    /// 检验、检测、检疫: testing, inspection, quarantine.
    Inspection,
    /// 专家评审: expert review.
    ExpertReview,
    /// 公示: a public notice.
    PublicNotice,
    /// 现场踏勘: a site survey.
    SiteSurvey,
}

impl ProcedureKind {
    /// Every kind, in the order the documentation lists them.
    pub const ALL: [ProcedureKind; 6] = [
        ProcedureKind::Hearing,
        ProcedureKind::Tender,
        ProcedureKind::Inspection,
        ProcedureKind::ExpertReview,
        ProcedureKind::PublicNotice,
        ProcedureKind::SiteSurvey,
    ];

    /// Every name, in the order of [`ProcedureKind::ALL`].
    pub const NAMES: [&'static str; 6] =
        ["hearing", "tender", "inspection", "expert-review", "public-notice", "site-survey"];

    /// Its kebab-case name.
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

impl fmt::Display for ProcedureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProcedureKind {
    type Err = String;

    /// ```
    /// use shenpi_core::model::ProcedureKind;
    /// assert_eq!("expert-review".parse(), Ok(ProcedureKind::ExpertReview));
    /// assert!("expert".parse::<ProcedureKind>().unwrap_err().contains("expert-review"));
    /// ```
    fn from_str(s: &str) -> Result<ProcedureKind, String> {
        ProcedureKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            format!("unknown procedure kind `{s}`; expected one of: {}", Self::NAMES.join(", "))
        })
    }
}

/// One step's handling rules: its acceptance window, how far its legal limit
/// may be extended, and caps on its special procedures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Handling {
    acceptance_limit: u32,
    extension: u32,
    procedures: Vec<(ProcedureKind, u32)>,
}

impl Default for Handling {
    fn default() -> Handling {
        Handling {
            acceptance_limit: DEFAULT_ACCEPTANCE_LIMIT,
            extension: DEFAULT_EXTENSION,
            procedures: Vec::new(),
        }
    }
}

impl Handling {
    /// Working days from 收件 within which the department accepts, refuses to
    /// accept or asks for missing material; past them the application is
    /// accepted from the day of receipt (Art. 32). The step's
    /// `acceptance_limit`, else the flow's, else 5.
    pub fn acceptance_limit(&self) -> u32 {
        self.acceptance_limit
    }

    /// The most working days an `extended` event may add to the legal limit
    /// over one application (Art. 42): the step's `extension`, else 10.
    pub fn extension(&self) -> u32 {
        self.extension
    }

    /// The cap in working days the step sets on a kind of special procedure
    /// (`procedures: {expert-review: 10}`), if any.
    pub fn procedure_cap(&self, kind: ProcedureKind) -> Option<u32> {
        self.procedures.iter().find(|(k, _)| *k == kind).map(|&(_, d)| d)
    }

    /// Every capped kind with its cap, in the order of [`ProcedureKind::ALL`].
    pub fn procedures(&self) -> &[(ProcedureKind, u32)] {
        &self.procedures
    }

    /// Sets the acceptance window, for a step that takes the flow's.
    pub(super) fn set_acceptance_limit(&mut self, days: u32) {
        self.acceptance_limit = days;
    }
}

/// What a step's time counts in the total when an application is refused,
/// withdrawn or terminated and the applicant applies again (`reapplication`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reapplication {
    /// The government time of every attempt counts (the default).
    #[default]
    CountAll,
    /// Only the latest attempt counts.
    CountLast,
}

impl Reapplication {
    /// Every choice with its name in flow files.
    pub const ALL: [(&'static str, Reapplication); 2] =
        [("count-all", Reapplication::CountAll), ("count-last", Reapplication::CountLast)];

    /// Its name in flow files.
    pub fn as_str(self) -> &'static str {
        match self {
            Reapplication::CountAll => "count-all",
            Reapplication::CountLast => "count-last",
        }
    }
}

impl Builder<'_> {
    /// A flow's `acceptance_limit` (5 when absent).
    pub(super) fn flow_acceptance_limit(&mut self, f: &Fields<'_>) -> Option<u32> {
        f.get("acceptance_limit")
            .map_or(Some(DEFAULT_ACCEPTANCE_LIMIT), |n| self.r.days(n, "acceptance_limit"))
    }

    /// A flow's `reapplication` (`count-all` when absent).
    pub(super) fn reapplication(&mut self, f: &Fields<'_>) -> Option<Reapplication> {
        f.get("reapplication").map_or(Some(Reapplication::default()), |n| {
            self.r.choice(n, "reapplication", &Reapplication::ALL)
        })
    }

    /// A step's handling rules, `acceptance_limit` falling back on the flow's.
    pub(super) fn handling(&mut self, f: &Fields<'_>, flow_acceptance_limit: u32) -> Option<Handling> {
        let acceptance_limit = f
            .get("acceptance_limit")
            .map_or(Some(flow_acceptance_limit), |n| self.r.days(n, "acceptance_limit"));
        let extension = f.get("extension").map_or(Some(DEFAULT_EXTENSION), |n| self.r.days(n, "extension"));
        let procedures = f.get("procedures").map_or(Some(Vec::new()), |n| self.procedures(n));
        Some(Handling { acceptance_limit: acceptance_limit?, extension: extension?, procedures: procedures? })
    }

    /// `procedures: {expert-review: 10, …}`: a cap in working days per kind.
    fn procedures(&mut self, n: &Node<'_>) -> Option<Vec<(ProcedureKind, u32)>> {
        let f = self.r.fields(n, "`procedures`", &ProcedureKind::NAMES)?;
        let mut out = Vec::new();
        let mut ok = true;
        for kind in ProcedureKind::ALL {
            if let Some(v) = f.get(kind.as_str()) {
                match self.r.days(v, kind.as_str()) {
                    Some(d) => out.push((kind, d)),
                    None => ok = false,
                }
            }
        }
        ok.then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Flow;

    fn flow(head: &str, step: &str) -> Result<Flow, String> {
        let text = format!(
            "id: f\nname: 示例\n{head}stages: [{{ id: s, name: 阶段, steps: [{{ id: a, name: 甲, promised: 5{step} }}] }}]\n"
        );
        Flow::parse("f.yaml", &text).map_err(|r| r.render())
    }

    #[test]
    fn defaults_follow_the_law() {
        let f = flow("", "").expect("valid");
        let h = f.steps()[0].handling();
        assert_eq!((h.acceptance_limit(), h.extension(), h.procedures()), (5, 10, &[][..]));
        assert_eq!(f.reapplication(), Reapplication::CountAll);
    }

    #[test]
    fn a_step_overrides_the_flow() {
        let f = flow(
            "acceptance_limit: 3\nreapplication: count-last\n",
            ", acceptance_limit: 1, extension: 15, procedures: { public-notice: 7, hearing: 20 }",
        )
        .expect("valid");
        let h = f.steps()[0].handling();
        assert_eq!((h.acceptance_limit(), h.extension()), (1, 15));
        // In the documented order, whatever the file's.
        assert_eq!(h.procedures(), &[(ProcedureKind::Hearing, 20), (ProcedureKind::PublicNotice, 7)]);
        assert_eq!(f.reapplication(), Reapplication::CountLast);
        let g = flow("acceptance_limit: 3\n", "").expect("valid");
        assert_eq!(g.steps()[0].handling().acceptance_limit(), 3);
    }

    #[test]
    fn bad_values_are_diagnostics() {
        let err = flow("", ", procedures: { expert_review: 10 }").expect_err("unknown kind");
        assert!(
            err.contains("unknown key `expert_review`") && err.contains("did you mean `expert-review`?"),
            "{err}"
        );
        let err = flow("reapplication: count-first\n", "").expect_err("bad choice");
        assert!(err.contains("`count-first` is not a valid `reapplication`"), "{err}");
        let err = flow("", ", extension: -1").expect_err("negative");
        assert!(err.contains("extension"), "{err}");
        let err = flow("", ", procedures: [hearing]").expect_err("not a mapping");
        assert!(err.contains("`procedures`"), "{err}");
    }

    #[test]
    fn names_round_trip() {
        for k in ProcedureKind::ALL {
            assert_eq!(k.as_str().parse(), Ok(k));
        }
        for (name, r) in Reapplication::ALL {
            assert_eq!(r.as_str(), name);
        }
    }
}
