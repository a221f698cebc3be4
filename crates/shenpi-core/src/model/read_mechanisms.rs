//! The loader's part for the reform's mechanisms (see [`super::mechanisms`]):
//! joint review, a stage's window, intermediaries, budgets over groups of
//! stages, the counting rule, commitment and simulated approval, and whether
//! a step is a filing (备案). Rules that
//! an edit can break too are in [`super::check::mechanisms`].

use std::collections::HashMap;

use super::load::Builder;
use super::{
    BudgetGroup, CommissionedBy, Commitment, Joint, Member, Provisional, Ref, Silence, StepKind, Target,
};
use crate::diag::{Code, Diagnostic, Span, Suggester, clip};
use crate::yaml::{Data, Fields, Node};

const MEMBER_KEYS: &[&str] = &["dept", "promised", "duration"];
const COMMITMENT_KEYS: &[&str] = &["verify_within"];
const PROVISIONAL_KEYS: &[&str] = &["before", "confirm_within"];
const GROUP_KEYS: &[&str] = &["name", "stages", "days"];

/// A step's mechanisms as read: the outer `None` of each is a value that did
/// not read (already reported), the inner one a mechanism the step lacks.
pub(super) struct StepMechanisms {
    pub(super) joint: Option<Option<Joint>>,
    pub(super) provider: Option<Option<String>>,
    pub(super) commitment: Option<Option<Commitment>>,
    pub(super) provisional: Option<Option<Provisional>>,
    /// `filing: true`: a filing (备案), recorded rather than licensed.
    pub(super) filing: Option<bool>,
}

/// What a step being read is, for the mechanisms' rules.
pub(super) struct StepHead<'a> {
    /// Its id, when it read.
    pub(super) id: Option<&'a str>,
    /// `step `id`` or `a step`, for messages.
    pub(super) what: &'a str,
    pub(super) kind: Option<StepKind>,
    pub(super) depts: Option<&'a [String]>,
}

impl Builder<'_> {
    /// `commissioned_by` of an intermediary (the applicant when not written);
    /// `Some(None)` for other kinds, where the key is an error.
    pub(super) fn commissioned_by(
        &mut self,
        f: &Fields<'_>,
        what: &str,
        kind: Option<StepKind>,
    ) -> Option<Option<CommissionedBy>> {
        let written =
            f.get("commissioned_by").map(|n| self.r.choice(n, "commissioned_by", &CommissionedBy::ALL));
        match kind? {
            StepKind::Intermediary => match written {
                Some(c) => c.map(Some),
                None => Some(Some(CommissionedBy::Applicant)),
            },
            k => {
                self.off_kind(
                    f,
                    "commissioned_by",
                    what,
                    k,
                    Code::Intermediary,
                    "intermediaries (`kind: intermediary`)",
                );
                Some(None)
            }
        }
    }

    /// An explicit `counted` that says the opposite of an explicit `commissioned_by`.
    pub(super) fn counted_agrees(
        &mut self,
        f: &Fields<'_>,
        what: &str,
        counted: Option<bool>,
        commissioned_by: Option<CommissionedBy>,
    ) {
        let (Some(counted), Some(by), Some(cn), Some(bn)) =
            (counted, commissioned_by, f.get("counted"), f.get("commissioned_by"))
        else {
            return;
        };
        if counted == (by == CommissionedBy::Government) {
            return;
        }
        self.r.push(
            Diagnostic::error(
                Code::Intermediary,
                format!("{what} is commissioned by the {} but says `counted: {counted}`", by.as_str()),
            )
            .at(self.r.span(cn), "contradicts `commissioned_by`")
            .also(self.r.span(bn), format!("commissioned by the {}", by.as_str()))
            .help("an intermediary counts in the total exactly when the government commissions it (Zhejiang's rule); remove `counted`"),
        );
    }

    /// Reports `key` written on a step of a kind it does not apply to.
    fn off_kind(&mut self, f: &Fields<'_>, key: &str, what: &str, kind: StepKind, code: Code, applies: &str) {
        if let Some(at) = f.key_span(key) {
            self.r.push(
                Diagnostic::error(
                    code,
                    format!("`{key}` applies to {applies}, and {what} is `{}`", kind.as_str()),
                )
                .at(at, "not for this kind of step")
                .help(format!("remove `{key}`, or change the step's `kind`")),
            );
        }
    }

    /// Joint review, provider, commitment, simulated approval and filing of one step.
    pub(super) fn step_mechanisms(&mut self, f: &Fields<'_>, head: &StepHead<'_>) -> StepMechanisms {
        let provider = match (head.kind, f.get("provider")) {
            (_, None) => Some(None),
            (Some(StepKind::Intermediary), Some(n)) => self.r.text(n, "provider").map(Some),
            (Some(k), Some(_)) => {
                let applies = "intermediaries (`kind: intermediary`)";
                self.off_kind(f, "provider", head.what, k, Code::Intermediary, applies);
                Some(None)
            }
            (None, Some(_)) => None,
        };
        StepMechanisms {
            joint: self.joint(f, head),
            provider,
            commitment: self.commitment(f, head),
            provisional: self.provisional(f, head),
            filing: self.filing(f, head),
        }
    }

    /// `filing` (false when not written): only a step a department decides
    /// can be a filing.
    fn filing(&mut self, f: &Fields<'_>, head: &StepHead<'_>) -> Option<bool> {
        let Some(n) = f.get("filing") else { return Some(false) };
        let filing = self.r.boolean(n, "filing")?;
        let kind = head.kind?;
        if !kind.is_decision() {
            let applies = "steps a department decides (approval, joint, acceptance, registration)";
            self.off_kind(f, "filing", head.what, kind, Code::InvalidValue, applies);
            return None;
        }
        Some(filing)
    }

    fn joint(&mut self, f: &Fields<'_>, head: &StepHead<'_>) -> Option<Option<Joint>> {
        let kind = head.kind?;
        if kind != StepKind::Joint {
            for key in ["members", "silence"] {
                self.off_kind(f, key, head.what, kind, Code::JointReview, "joint steps (`kind: joint`)");
            }
            return Some(None);
        }
        let kind_at = f.key_span("kind").unwrap_or(f.span);
        if let Some(depts) = head.depts
            && depts.len() != 1
        {
            let at = f.get("dept").map_or(kind_at, |n| self.r.span(n));
            self.r.push(
                Diagnostic::error(
                    Code::JointReview,
                    format!("joint {} needs one lead department in `dept`, found {}", head.what, depts.len()),
                )
                .at(at, "the lead department (牵头部门) consolidates and decides")
                .help("write the lead in `dept` and the other departments under `members`"),
            );
        }
        let silence = f.get("silence").map_or(Some(Silence::Agree), |n| {
            self.r.choice(n, "silence", &[("agree", Silence::Agree), ("block", Silence::Block)])
        });
        let members = match f.get("members") {
            Some(n) => self.members(n, head.what),
            None => {
                self.r.push(
                    Diagnostic::error(Code::JointReview, format!("joint {} has no `members`", head.what))
                        .at(kind_at, "a joint step needs member departments")
                        .help("list them: `members: [{ dept: 消防救援大队, promised: 3 }]`"),
                );
                None
            }
        };
        Some(Some(Joint { members: members?, silence: silence? }))
    }

    fn members(&mut self, n: &Node<'_>, what: &str) -> Option<Vec<Member>> {
        let items = self.r.list(n, "members")?;
        if items.is_empty() {
            self.r.push(
                Diagnostic::error(Code::JointReview, format!("joint {what} has an empty `members` list"))
                    .at(self.r.span(n), "no member here")
                    .help("list the member departments, or make the step an ordinary approval"),
            );
            return None;
        }
        let mut out: Vec<Member> = Vec::with_capacity(items.len());
        let mut seen: HashMap<String, Span> = HashMap::with_capacity(items.len());
        let mut ok = true;
        for item in items {
            match self.member(item, what) {
                Some(m) => {
                    if let Some(&first) = seen.get(&m.dept) {
                        self.r.push(
                            Diagnostic::error(
                                Code::JointReview,
                                format!("department `{}` is a member of joint {what} twice", clip(&m.dept)),
                            )
                            .at(m.span, "named again here")
                            .also(first, "first named here")
                            .help("each member department gives one opinion; remove one"),
                        );
                    } else {
                        seen.insert(m.dept.clone(), m.span);
                    }
                    out.push(m);
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn member(&mut self, n: &Node<'_>, what: &str) -> Option<Member> {
        let whose = format!("a member of {what}");
        let f = self.r.fields(n, &whose, MEMBER_KEYS)?;
        let dept_node = f.get("dept");
        if dept_node.is_none() {
            self.r.missing(&f, &whose, "dept", "name the member department, e.g. `dept: 消防救援大队`");
        }
        let promised_node = f.get("promised");
        if promised_node.is_none() {
            self.r.missing(&f, &whose, "promised", "give the working days it has for its opinion");
        }
        let dept = dept_node.and_then(|d| self.r.text(d, "dept"));
        let promised = promised_node.and_then(|p| self.r.days(p, "promised"));
        let duration = f.get("duration").map(|d| self.model(d, "duration"));
        let (dept_node, promised_node) = (dept_node?, promised_node?);
        Some(Member {
            dept: dept?,
            promised: promised?,
            duration: duration.map_or(Some(None), |d| d.map(Some))?,
            span: self.r.span(dept_node),
            promised_span: self.r.span(promised_node),
        })
    }

    fn commitment(&mut self, f: &Fields<'_>, head: &StepHead<'_>) -> Option<Option<Commitment>> {
        let Some(n) = f.get("commitment") else { return Some(None) };
        let kind = head.kind?;
        if !kind.is_decision() {
            let applies = "steps a department decides (approval, joint, acceptance, registration)";
            self.off_kind(f, "commitment", head.what, kind, Code::Commitment, applies);
            return Some(None);
        }
        let c = self.r.fields(n, "`commitment`", COMMITMENT_KEYS)?;
        let Some(v) = c.get("verify_within") else {
            self.r.missing(
                &c,
                "`commitment`",
                "verify_within",
                "give the working days within which the pledge is verified, e.g. `verify_within: 30`",
            );
            return None;
        };
        let days = self.r.days(v, "verify_within")?;
        if days == 0 {
            self.r.push(
                Diagnostic::error(Code::Commitment, format!("{} verifies its pledge within 0 days", head.what))
                    .at(self.r.span(v), "at least 1 working day")
                    .help("a pledge verified on the day of approval is an ordinary approval; remove `commitment` or give the days of the check (核查)"),
            );
            return None;
        }
        Some(Some(Commitment { verify_within: days }))
    }

    fn provisional(&mut self, f: &Fields<'_>, head: &StepHead<'_>) -> Option<Option<Provisional>> {
        let Some(n) = f.get("provisional") else { return Some(None) };
        if let Data::Boolean(b) = &n.data {
            if *b {
                let span = self.r.span(n);
                match head.id {
                    Some(id) => self.old_provisional.push((id.to_string(), span)),
                    None => self.r.push(old_provisional(head.what, span, None)),
                }
            }
            return Some(None);
        }
        let kind = head.kind?;
        if !kind.is_decision() {
            let applies = "steps a department decides (approval, joint, acceptance, registration)";
            self.off_kind(f, "provisional", head.what, kind, Code::Provisional, applies);
            return Some(None);
        }
        let p = self.r.fields(n, "`provisional`", PROVISIONAL_KEYS)?;
        let before = match p.get("before") {
            Some(b) => self.before(b, head.what),
            None => {
                self.r.missing(
                    &p,
                    "`provisional`",
                    "before",
                    "list the prerequisites it may run ahead of, e.g. `before: [land-title]`",
                );
                None
            }
        };
        let confirm_within = match p.get("confirm_within") {
            Some(c) => self.r.days(c, "confirm_within"),
            None => {
                self.r.missing(
                    &p,
                    "`provisional`",
                    "confirm_within",
                    "give the working days to confirm the result once they are decided, e.g. `confirm_within: 10`",
                );
                None
            }
        };
        Some(Some(Provisional { before: before?, confirm_within: confirm_within? }))
    }

    fn before(&mut self, n: &Node<'_>, what: &str) -> Option<Vec<Ref>> {
        let items = self.r.list(n, "before")?;
        if items.is_empty() {
            self.r.push(
                Diagnostic::error(
                    Code::Provisional,
                    format!("{what} may run ahead of nothing: `before` is empty"),
                )
                .at(self.r.span(n), "no prerequisite here")
                .help("name the prerequisites it may run ahead of, or remove `provisional`"),
            );
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        for it in items {
            let span = self.r.span(it);
            out.push(Ref { id: self.r.text(it, "before")?, span });
        }
        Some(out)
    }

    /// Reports every `provisional: true` with the prerequisites to name instead.
    pub(super) fn report_old_provisional(&mut self, index: &HashMap<String, Target>) {
        if self.old_provisional.is_empty() {
            return;
        }
        let preds = super::check::predecessors(&self.stages, &self.steps, index);
        for (id, span) in std::mem::take(&mut self.old_provisional) {
            let waits: Option<Vec<&str>> = match index.get(&id) {
                Some(Target::Step(i)) => {
                    preds.get(i.index()).map(|p| p.iter().map(|&u| self.steps[u].id.as_str()).collect())
                }
                _ => None,
            };
            let d = old_provisional(&format!("step `{id}`"), span, waits.as_deref());
            self.r.push(d);
        }
    }

    /// The flow's budgets over groups of stages; read after the stages.
    pub(super) fn budgets(&mut self, n: &Node<'_>) -> Option<Vec<BudgetGroup>> {
        let items = self.r.list(n, "budgets")?;
        let mut out: Vec<BudgetGroup> = Vec::with_capacity(items.len());
        let mut names: HashMap<String, Span> = HashMap::with_capacity(items.len());
        // Built at the first unknown stage; its budget bounds the work of all suggestions.
        let mut suggester: Option<Suggester> = None;
        let mut ok = true;
        for item in items {
            match self.budget_group(item, &mut names, &mut suggester) {
                Some(g) => out.push(g),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn budget_group(
        &mut self,
        n: &Node<'_>,
        names: &mut HashMap<String, Span>,
        suggester: &mut Option<Suggester>,
    ) -> Option<BudgetGroup> {
        let f = self.r.fields(n, "a budget group", GROUP_KEYS)?;
        let name_node = f.get("name");
        if name_node.is_none() {
            self.r.missing(&f, "a budget group", "name", "name the group, e.g. `name: 开工前`");
        }
        let name = name_node.and_then(|n| self.group_name(n, names));
        let what =
            name.as_ref().map_or("a budget group".to_string(), |n| format!("budget group `{}`", clip(n)));
        let stages = match f.get("stages") {
            Some(s) => self.group_stages(s, &what, suggester),
            None => {
                self.r.missing(
                    &f,
                    &what,
                    "stages",
                    "list its stages, e.g. `stages: [initiation, design, permit]`",
                );
                None
            }
        };
        let days = match f.get("days") {
            Some(d) => self.r.days(d, "days").map(|v| (v, self.r.span(d))),
            None => {
                self.r.missing(&f, &what, "days", "give its limit in counted working days, e.g. `days: 60`");
                None
            }
        };
        let (days, span) = days?;
        Some(BudgetGroup { name: name?, stages: stages?, days, span })
    }

    fn group_name(&mut self, n: &Node<'_>, names: &mut HashMap<String, Span>) -> Option<String> {
        let name = self.r.text(n, "name")?;
        let span = self.r.span(n);
        if name.trim().is_empty() {
            self.r.push(
                Diagnostic::error(Code::BudgetGroup, "a budget group has a blank `name`")
                    .at(span, "plans and alerts show this name")
                    .help("name the group, e.g. `name: 开工前`"),
            );
            return None;
        }
        if let Some(first) = names.get(&name) {
            self.r.push(
                Diagnostic::error(
                    Code::BudgetGroup,
                    format!("two budget groups are named `{}`", clip(&name)),
                )
                .at(span, "named again here")
                .also(*first, "first named here")
                .help("plans and alerts name a group by its name; rename one"),
            );
            return None;
        }
        names.insert(name.clone(), span);
        Some(name)
    }

    fn group_stages(
        &mut self,
        n: &Node<'_>,
        what: &str,
        suggester: &mut Option<Suggester>,
    ) -> Option<Vec<usize>> {
        let items = self.r.list(n, "stages")?;
        if items.is_empty() {
            self.r.push(
                Diagnostic::error(Code::BudgetGroup, format!("{what} lists no stage"))
                    .at(self.r.span(n), "no stage here")
                    .help("list the stages whose counted days the group limits"),
            );
            return None;
        }
        let mut out: Vec<usize> = Vec::with_capacity(items.len());
        let mut seen: HashMap<usize, Span> = HashMap::with_capacity(items.len());
        let mut ok = true;
        for it in items {
            let Some(id) = self.r.text(it, "stages") else {
                ok = false;
                continue;
            };
            let span = self.r.span(it);
            match self.ids.get(&id).map(|t| t.1) {
                Some(Target::Stage(k)) => {
                    if let Some(&first) = seen.get(&k) {
                        self.r.push(
                            Diagnostic::error(
                                Code::BudgetGroup,
                                format!("stage `{}` is twice in {what}", clip(&id)),
                            )
                            .at(span, "listed again here")
                            .also(first, "first listed here")
                            .help("remove one"),
                        );
                        ok = false;
                    } else {
                        seen.insert(k, span);
                        out.push(k);
                    }
                }
                Some(Target::Step(_)) => {
                    self.r.push(
                        Diagnostic::error(Code::BudgetGroup, format!("{what} lists step `{}`", clip(&id)))
                            .at(span, "a step, not a stage")
                            .help("a budget group lists stages; put the step's stage here"),
                    );
                    ok = false;
                }
                None => {
                    let stages = &self.stages;
                    let s =
                        suggester.get_or_insert_with(|| Suggester::new(stages.iter().map(|s| s.id.as_str())));
                    let d = Diagnostic::error(
                        Code::UnknownReference,
                        format!("{what} names unknown stage `{}`", clip(&id)),
                    )
                    .at(span, "no stage has this id");
                    let d = match s.suggest(&id) {
                        Some(s) => d.help(format!("did you mean `{s}`?")),
                        None => d.help("`stages` takes ids of the flow's stages"),
                    };
                    self.r.push(d);
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// `total` in a flow with neither `budget` nor `budgets`.
    pub(super) fn total_has_budget(&mut self, f: &Fields<'_>, has_budget: bool) {
        if has_budget {
            return;
        }
        if let Some(at) = f.key_span("total") {
            self.r.push(
                Diagnostic::error(Code::CountingRule, "`total` has no budget to apply to")
                    .at(at, "chooses what a budget is checked against")
                    .help("add `budget:` or `budgets:`, or remove `total`"),
            );
        }
    }

    /// A stage's `window`: a name, on a stage with a step a window accepts.
    /// The stage's steps are `self.steps[loaded]` (a stage's steps load
    /// together, in file order); `written` is how many its body holds in the file.
    pub(super) fn window(
        &mut self,
        f: &Fields<'_>,
        stage: &str,
        loaded: std::ops::Range<usize>,
        written: usize,
    ) -> Option<String> {
        let n = f.get("window")?;
        let name = self.r.text(n, "window")?;
        let at = self.r.span(n);
        if name.trim().is_empty() {
            self.r.push(
                Diagnostic::error(Code::Window, format!("stage `{stage}` has a blank `window`"))
                    .at(at, "name the window")
                    .help("e.g. `window: 政务服务中心`, or remove `window`"),
            );
            return None;
        }
        let loaded = self.steps.get(loaded).unwrap_or_default();
        if !loaded.is_empty()
            && loaded.len() == written
            && !loaded.iter().any(|s| s.kind.takes_applications())
        {
            self.r.push(
                Diagnostic::error(Code::Window, format!("stage `{stage}` has a window but no step a window accepts"))
                    .at(at, "accepts nothing here")
                    .help("a window takes applications for approvals, joint reviews, acceptances, registrations and utility hook-ups; remove `window`"),
            );
        }
        Some(name)
    }
}

fn old_provisional(what: &str, span: Span, waits: Option<&[&str]>) -> Diagnostic {
    let d = Diagnostic::error(Code::Provisional, format!("{what} uses the old `provisional: true`"))
        .at(span, "say what it may run ahead of");
    match waits {
        Some([]) => d.help("the step waits for nothing, so it has nothing to run ahead of; remove `provisional`"),
        Some(ids) => d.help(format!(
            "write `provisional: {{ before: [{}], confirm_within: 10 }}`, keeping in `before` only the prerequisites it may run ahead of (模拟审批) and in `confirm_within` the working days to confirm once they are decided",
            ids.join(", ")
        )),
        None => d.help("write `provisional: { before: [ids], confirm_within: days }`: the prerequisites it may run ahead of (模拟审批), and the working days to confirm once they are decided"),
    }
}
