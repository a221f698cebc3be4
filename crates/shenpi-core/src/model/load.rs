//! YAML → [`Flow`], collecting every diagnostic on the way.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use super::params::{ParamDecl, ParamType, Value};
use super::read_mechanisms::StepHead;
use super::{
    Alerts, Block, CommissionedBy, Delay, DurationModel, Flow, Ref, Stage, Step, StepIdx, StepKind,
    StepParts, Supervision, Target, TimeoutPolicy, TotalRule,
};
use super::{check, expr};
use crate::diag::{Code, Diagnostic, Report, Source, Span};
use crate::model::DeadlinePolicy;
use crate::yaml::{self, Data, Fields, Node, Reader};

const FLOW_KEYS: &[&str] = &[
    "id",
    "version",
    "name",
    "calendar",
    "budget",
    "budgets",
    "total",
    "deadline_policy",
    "alerts",
    "on_timeout",
    "acceptance_limit",
    "reapplication",
    "promise_ratio",
    "params",
    "stages",
    "description",
];
const STAGE_KEYS: &[&str] = &["id", "name", "budget", "after", "window", "steps", "description"];
const STEP_KEYS: &[&str] = &[
    "id",
    "name",
    "dept",
    "kind",
    "counted",
    "legal",
    "promised",
    "min",
    "cost",
    "after",
    "when",
    "on_timeout",
    "acceptance_limit",
    "extension",
    "procedures",
    "members",
    "silence",
    "commissioned_by",
    "provider",
    "commitment",
    "provisional",
    "filing",
    "duration",
    "supplement",
    "special",
    "description",
];
const PARAM_KEYS: &[&str] = &["type", "default", "values", "description"];
const ALERT_KEYS: &[&str] = &["reminder", "yellow", "red", "supervise", "answer_within"];
const DELAY_KEYS: &[&str] = &["p", "days"];
const MODEL_KEYS: &[&str] = &["fixed", "triangular", "pert", "empirical"];

/// Deepest nesting of `serial`/`parallel` blocks; deeper files are refused rather than overflow the stack.
const MAX_DEPTH: usize = crate::limits::MAX_BLOCK_DEPTH;

pub(super) fn load(source: Arc<Source>) -> Result<Flow, Report> {
    match plain(&source) {
        Some(flow) => Ok(flow),
        None => general(source),
    }
}

/// [`load`] without the plain reader: the tree of the whole document, read
/// with a diagnostic for every problem.
pub(super) fn general(source: Arc<Source>) -> Result<Flow, Report> {
    let text = Arc::clone(&source);
    let root = match yaml::parse(&text) {
        Ok(Some(root)) => root,
        Ok(None) => {
            let d = Diagnostic::error(Code::EmptyFlow, "the file holds no flow")
                .at(Span::new(0, 0), "")
                .help("a flow needs at least `id`, `name` and `stages`; see docs/flow-format.md");
            return Err(Report::new(source.clone(), vec![d]));
        }
        Err(d) => return Err(Report::new(source.clone(), vec![*d])),
    };
    let mut b = Builder::new(&text);
    let flow = b.flow(&root);
    let Builder { r, .. } = b;
    let diags = r.diags;
    match flow {
        Some(mut flow) if !diags.iter().any(Diagnostic::is_error) => {
            flow.source = source;
            Ok(flow)
        }
        _ => Err(Report::new(source, diags)),
    }
}

/// The flow of a file in the plain shape ([`super::plain`]), when the
/// loader finds nothing to report in it; `None` sends the file the general way.
pub(super) fn plain(source: &Arc<Source>) -> Option<Flow> {
    let (root, taken, steps) = super::plain::read(source)?;
    let mut b = Builder::new(source);
    // The steps are the flow's from the start: a large flow's steps are most of its memory.
    b.steps = steps;
    b.taken = Some(taken);
    let flow = b.flow(&root);
    let done = b.taken.as_ref().is_some_and(super::plain::Taken::is_done);
    if !done || b.r.diags.iter().any(Diagnostic::is_error) {
        return None;
    }
    let mut flow = flow?;
    flow.source = Arc::clone(source);
    Some(flow)
}

/// A step's days as read (see [`Builder::step_days`]); `None` where one did not read.
struct StepDays {
    /// `None` when written and unreadable, `Some(None)` when not written.
    legal: Option<Option<u32>>,
    promised: Option<u32>,
    min: Option<u32>,
    cost: Option<f64>,
}

/// How many steps `stage` holds (every mapping in its blocks that is not a
/// `serial` or `parallel` block), however they read.
///
/// # Complexity
/// **O(n)** in the stage's nodes; recursion as deep as the blocks' nesting,
/// which the YAML depth limit bounds.
fn written_steps(stage: &Node<'_>) -> usize {
    fn blocks(list: &Node<'_>) -> usize {
        let Data::Sequence(items) = &list.data else { return 0 };
        items
            .iter()
            .map(|item| {
                let inner =
                    item.pairs().iter().find(|(k, _)| matches!(k.as_str(), Some("serial" | "parallel")));
                match inner {
                    Some((_, list)) => blocks(list),
                    None => usize::from(item.is_mapping()),
                }
            })
            .sum()
    }
    let steps = stage.pairs().iter().find(|(k, _)| k.as_str() == Some("steps"));
    steps.map_or(0, |(_, list)| blocks(list))
}

pub(super) struct Builder<'s> {
    pub(super) r: Reader<'s>,
    pub(super) steps: Vec<Step>,
    pub(super) stages: Vec<Stage>,
    pub(super) ids: HashMap<String, (Span, Target)>,
    params: expr::Declared,
    /// Steps written in the file, including those that failed to load.
    pub(super) written_steps: usize,
    /// The flow's `on_timeout`: what a step without its own does.
    on_timeout: TimeoutPolicy,
    /// The flow's `acceptance_limit`: what a step without its own has.
    acceptance_limit: u32,
    /// The flow's `promise_ratio` and where it is written, checked on every step as it loads.
    promise_ratio: Option<(f64, Span)>,
    /// Steps written with the old `provisional: true`, reported once the edges are known.
    pub(super) old_provisional: Vec<(String, Span)>,
    /// The `steps` lists read from the events ([`super::plain`]), when the file is read that way.
    taken: Option<super::plain::Taken>,
    /// Ids of steps read in part: registered, so that what waits for one is
    /// not told it is unknown, but no step, so no edge leads from one.
    read_in_part: Vec<String>,
}

impl<'s> Builder<'s> {
    fn new(source: &'s Source) -> Builder<'s> {
        Builder {
            r: Reader::new(source),
            steps: Vec::new(),
            stages: Vec::new(),
            ids: HashMap::new(),
            params: expr::Declared::new(),
            written_steps: 0,
            on_timeout: TimeoutPolicy::None,
            acceptance_limit: crate::model::DEFAULT_ACCEPTANCE_LIMIT,
            promise_ratio: None,
            old_provisional: Vec::new(),
            taken: None,
            read_in_part: Vec::new(),
        }
    }
}

impl Builder<'_> {
    fn flow(&mut self, root: &Node<'_>) -> Option<Flow> {
        let f = self.r.fields(root, "the flow", FLOW_KEYS)?;
        let id = self
            .required(&f, "the flow", "id", "add `id: my-flow` at the top")
            .and_then(|n| self.r.id(n, "id"));
        let name = self
            .required(&f, "the flow", "name", "add `name:` with the flow's title")
            .and_then(|n| self.r.text(n, "name"));
        let version = match f.get("version") {
            Some(n) => self.r.days(n, "version").and_then(|v| self.positive(n, "version", v)),
            None => Some(1),
        };
        let calendar = f.get("calendar").map_or(Some("cn".to_string()), |n| self.r.text(n, "calendar"));
        // Outer `None`: no budget; inner `None`: a budget that did not read (already reported).
        let budget = f.get("budget").map(|n| self.r.days(n, "budget"));
        let budget_span = f.get("budget").map(|n| self.r.span(n));
        let deadline_policy = f.get("deadline_policy").map_or(Some(DeadlinePolicy::Latest), |n| {
            self.r.choice(
                n,
                "deadline_policy",
                &[("latest", DeadlinePolicy::Latest), ("proportional", DeadlinePolicy::Proportional)],
            )
        });
        let alerts = f.get("alerts").map_or(Some(Alerts::default()), |n| self.alerts(n));
        // Both apply to every step, so they are read before the stages.
        let on_timeout = f.get("on_timeout").map_or(Some(TimeoutPolicy::None), |n| self.timeout(n));
        self.on_timeout = on_timeout.unwrap_or_default();
        let acceptance_limit = self.flow_acceptance_limit(&f);
        self.acceptance_limit = acceptance_limit.unwrap_or(crate::model::DEFAULT_ACCEPTANCE_LIMIT);
        let reapplication = self.reapplication(&f);
        let promise_ratio = f.get("promise_ratio").map(|n| self.promise_ratio(n));
        self.promise_ratio = promise_ratio.flatten().zip(f.get("promise_ratio").map(|n| self.r.span(n)));
        let total =
            f.get("total").map_or(Some(TotalRule::default()), |n| self.r.choice(n, "total", &TotalRule::ALL));
        let description = f.get("description").and_then(|n| self.r.text(n, "description"));
        if let Some(n) = f.get("params") {
            self.params(n);
        }
        match f.get("stages") {
            Some(n) => self.stages(n),
            None => self.r.missing(&f, "the flow", "stages", "list the flow's stages under `stages:`"),
        }
        let empty_lists_reported = self.r.diags.iter().any(|d| d.code == Code::EmptyFlow);
        if self.written_steps == 0 && !empty_lists_reported && f.has("stages") {
            let at = f.key_span("stages").unwrap_or(f.span);
            self.r.push(
                Diagnostic::error(Code::EmptyFlow, "the flow has no steps")
                    .at(at, "no step under any stage")
                    .help("add at least one step with `id`, `name` and `promised`"),
            );
        }
        let budgets = f.get("budgets").map_or(Some(Vec::new()), |n| self.budgets(n));
        self.total_has_budget(&f, budget.is_some() || budgets.as_ref().is_some_and(|b| !b.is_empty()));
        let index = self.check_structure();
        let budget = match budget {
            Some(b) => Some(b?),
            None => None,
        };
        Some(Flow {
            id: id?.0,
            version: version?,
            name: name?,
            calendar: calendar?,
            budget,
            budget_span,
            budgets: budgets?,
            total: total?,
            deadline_policy: deadline_policy?,
            alerts: alerts?,
            on_timeout: on_timeout?,
            reapplication: reapplication?,
            promise_ratio: match promise_ratio {
                Some(r) => Some(r?),
                None => None,
            },
            promise_ratio_span: self.promise_ratio.map(|(_, span)| span),
            params: std::mem::replace(&mut self.params, expr::Declared::new()).into_decls(),
            stages: std::mem::take(&mut self.stages),
            steps: std::mem::take(&mut self.steps),
            description,
            source: Source::new("", ""),
            index,
            edited: false,
        })
    }

    /// Unknown references, and cycles when every reference resolves (an
    /// unknown one has no edge to follow). Returns the flow's index of ids,
    /// taken from the ids registered (nothing registers after this).
    fn check_structure(&mut self) -> HashMap<String, Target> {
        let index: HashMap<String, Target> =
            std::mem::take(&mut self.ids).into_iter().map(|(k, v)| (k, v.1)).collect();
        let unknown = check::unknown_refs(&self.stages, &self.steps, &index);
        // The edges, from what names a step that was read.
        let mut read = None;
        if !self.read_in_part.is_empty() {
            let mut steps = index.clone();
            for id in &self.read_in_part {
                steps.remove(id);
            }
            read = Some(steps);
        }
        let read = read.as_ref().unwrap_or(&index);
        let resolved = unknown.is_empty();
        let found = if resolved { check::cycles(&self.stages, &self.steps, read) } else { unknown };
        let mechanisms = check::mechanisms(&self.stages, &self.steps, read, resolved);
        for d in found.into_iter().chain(mechanisms) {
            self.r.push(d);
        }
        self.report_old_provisional(read);
        index
    }

    fn required<'a>(&mut self, f: &Fields<'a>, what: &str, key: &str, help: &str) -> Option<&'a Node<'a>> {
        let n = f.get(key);
        if n.is_none() {
            self.r.missing(f, what, key, help);
        }
        n
    }

    fn positive(&mut self, n: &Node<'_>, key: &str, v: u32) -> Option<u32> {
        if v == 0 {
            self.r.push(
                Diagnostic::error(Code::InvalidValue, format!("`{key}` must be at least 1"))
                    .at(self.r.span(n), "zero here"),
            );
            return None;
        }
        Some(v)
    }

    fn timeout(&mut self, n: &Node<'_>) -> Option<TimeoutPolicy> {
        self.r.choice(
            n,
            "on_timeout",
            &[("none", TimeoutPolicy::None), ("deem-approved", TimeoutPolicy::DeemApproved)],
        )
    }

    /// A share in (0, 1]: the most of its legal limit a step may promise.
    fn promise_ratio(&mut self, n: &Node<'_>) -> Option<f64> {
        let v = self.r.number(n, "promise_ratio")?;
        if !(v > 0.0 && v <= 1.0) {
            self.r.push(
                Diagnostic::error(Code::InvalidValue, format!("`promise_ratio` is {v}, outside 0 to 1"))
                    .at(self.r.span(n), "a share of each legal limit, above 0 and at most 1")
                    .help("write 0.5 to require every promised limit to be at most half the legal one"),
            );
            return None;
        }
        Some(v)
    }

    fn alerts(&mut self, n: &Node<'_>) -> Option<Alerts> {
        let f = self.r.fields(n, "`alerts`", ALERT_KEYS)?;
        let mut a = Alerts::default();
        if let Some(n) = f.get("reminder") {
            let v = self.r.number(n, "reminder")?;
            if !(0.0..=1.0).contains(&v) {
                self.r.push(
                    Diagnostic::error(Code::InvalidValue, format!("`reminder` is {v}, outside 0 to 1"))
                        .at(self.r.span(n), "a share of the time limit")
                        .help("write 0.2 to remind when 20% of a step's limit is left"),
                );
                return None;
            }
            a.reminder = v;
        }
        if let Some(n) = f.get("yellow") {
            a.yellow = self.r.days(n, "yellow")?;
        }
        if let Some(n) = f.get("red") {
            a.red = self.r.days(n, "red")?;
        }
        a.supervision = self.supervision(&f, a.red)?;
        Some(a)
    }

    /// The ladder past the red card (`supervise`, `answer_within`), each
    /// misuse reported at its value: `Some(None)` when the flow does not supervise.
    fn supervision(&mut self, f: &Fields<'_>, red: u32) -> Option<Option<Supervision>> {
        let (m, k) = (f.get("supervise"), f.get("answer_within"));
        let supervise = match m {
            Some(n) => Some(self.r.days(n, "supervise")?),
            None => None,
        };
        let answer = match k {
            Some(n) => Some(self.r.days(n, "answer_within")?),
            None => None,
        };
        let mut ok = true;
        if let (Some(n), Some(d)) = (m, supervise) {
            if d == 0 {
                ok = false;
                self.r.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        "`supervise` is 0 days: a supervision notice (督办) comes after due",
                    )
                    .at(self.r.span(n), "working days past due, at least 1")
                    .help("write 3 to send 督办 on the third working day past due"),
                );
            } else if d < red {
                ok = false;
                self.r.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("`supervise` is {d} days past due, before the red card (`red: {red}`)"),
                    )
                    .at(self.r.span(n), "督办 follows 超期")
                    .help(format!("make `supervise` at least {red}")),
                );
            }
        }
        if let (Some(n), Some(0)) = (k, answer) {
            ok = false;
            self.r.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    "`answer_within` is 0 days: a department needs a day to answer",
                )
                .at(self.r.span(n), "working days to answer a notice, at least 1")
                .help("write 5 to give a department five working days to answer"),
            );
        }
        match (supervise, answer) {
            (Some(supervise), Some(answer_within)) if ok => {
                Some(Some(Supervision { supervise, answer_within }))
            }
            (None, None) => Some(None),
            (Some(_), None) => {
                self.r.missing(f, "`alerts`", "answer_within", "answer_within: 5");
                None
            }
            (None, Some(_)) => {
                let at = k.map(|n| self.r.span(n)).unwrap_or(f.span);
                self.r.push(
                    Diagnostic::error(Code::MissingField, "`alerts` has `answer_within` but no `supervise`")
                        .at(at, "days to answer a notice that is never sent")
                        .help("add `supervise: 3` to send 督办 on the third working day past due, or remove `answer_within`"),
                );
                None
            }
            _ => None,
        }
    }

    fn params(&mut self, n: &Node<'_>) {
        let Data::Mapping(map) = &n.data else {
            self.r.wrong_type(n, "params", "a mapping of param names to `{ type: …, default: … }`");
            return;
        };
        for (k, v) in map.iter() {
            let Some((name, span)) = self.r.id(k, "param name") else { continue };
            if let Some(prev) = self.params.get(&name) {
                let prev = prev.span;
                self.r.push(
                    Diagnostic::error(Code::DuplicateId, format!("param `{name}` is declared twice"))
                        .at(span, "declared again here")
                        .also(prev, "first declared here"),
                );
                continue;
            }
            if let Some(decl) = self.param(name, span, v) {
                // OK to ignore: the name was just found free.
                let _ = self.params.add(decl);
            }
        }
    }

    fn param(&mut self, name: String, span: Span, n: &Node<'_>) -> Option<ParamDecl> {
        let what = format!("param `{name}`");
        let f = self.r.fields(n, &what, PARAM_KEYS)?;
        let ty_node = self.required(&f, &what, "type", "add `type: number`, `type: bool` or `type: text`")?;
        let ty = self.r.choice(ty_node, "type", &[("number", 0), ("bool", 1), ("text", 2)])?;
        let ty = match ty {
            0 => ParamType::Number,
            1 => ParamType::Bool,
            _ => {
                let values = match f.get("values") {
                    Some(v) => self.r.texts(v, "values")?,
                    None => Vec::new(),
                };
                ParamType::Text { values }
            }
        };
        if ty != (ParamType::Text { values: Vec::new() }) && matches!(ty, ParamType::Number | ParamType::Bool)
        {
            if let Some(k) = f.key_span("values") {
                self.r.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("`values` applies to text params, and `{name}` is {}", ty.as_str()),
                    )
                    .at(k, "not used for this type"),
                );
            }
        }
        let default = match f.get("default") {
            None => match &ty {
                ParamType::Number => Value::Number(0.0),
                ParamType::Bool => Value::Bool(false),
                ParamType::Text { values } => match values.first() {
                    Some(v) => Value::Text(v.clone()),
                    None => Value::Text(String::new()),
                },
            },
            Some(d) => {
                let v = match &ty {
                    ParamType::Number => Value::Number(self.r.number(d, "default")?),
                    ParamType::Bool => Value::Bool(self.r.boolean(d, "default")?),
                    ParamType::Text { .. } => Value::Text(self.r.text(d, "default")?),
                };
                if !v.fits(&ty) {
                    self.r.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            format!("default `{v}` is not one of the values of `{name}`"),
                        )
                        .at(self.r.span(d), "not in `values`"),
                    );
                    return None;
                }
                v
            }
        };
        Some(ParamDecl { name, ty, default, span })
    }

    fn register(&mut self, id: &str, span: Span, target: Target) -> bool {
        match self.ids.entry(id.to_string()) {
            Entry::Occupied(e) => {
                let (first, t) = *e.get();
                let what = match t {
                    Target::Step(_) => "a step",
                    Target::Stage(_) => "a stage",
                };
                self.r.push(
                    Diagnostic::error(Code::DuplicateId, format!("duplicate id `{id}`"))
                        .at(span, "used again here")
                        .also(first, format!("first used here, by {what}"))
                        .help("ids of steps and stages must be unique in the file; rename one"),
                );
                false
            }
            Entry::Vacant(e) => {
                e.insert((span, target));
                true
            }
        }
    }

    fn stages(&mut self, n: &Node<'_>) {
        let Some(items) = self.r.list(n, "stages") else { return };
        // A large flow's steps are most of its memory: one allocation of the right size.
        self.steps.reserve_exact(items.iter().map(written_steps).sum());
        for item in items {
            let index = self.stages.len();
            let Some(f) = self.r.fields(item, "a stage", STAGE_KEYS) else { continue };
            let id = self
                .required(&f, "a stage", "id", "give the stage an id, e.g. `id: initiation`")
                .and_then(|n| self.r.id(n, "id"));
            let name = self
                .required(&f, "a stage", "name", "give the stage a title, e.g. `name: 立项用地规划许可`")
                .and_then(|n| self.r.text(n, "name"));
            let budget = f.get("budget").and_then(|n| self.r.days(n, "budget"));
            let budget_span = f.get("budget").map(|n| self.r.span(n));
            let after = f.get("after").and_then(|n| self.refs(n));
            let description = f.get("description").and_then(|n| self.r.text(n, "description"));
            if let Some((id, span)) = &id {
                self.register(id, *span, Target::Stage(index));
            }
            let (written_before, first_step) = (self.written_steps, self.loaded());
            let body = match f.get("steps") {
                Some(s) => self.block_list(s, index, "steps", 0),
                None => {
                    self.r.missing(&f, "a stage", "steps", "list the stage's steps under `steps:`");
                    Vec::new()
                }
            };
            let stage_id = id.as_ref().map_or("", |(i, _)| i.as_str());
            let loaded = first_step..self.loaded();
            let window = self.window(&f, stage_id, loaded, self.written_steps - written_before);
            let span = id.as_ref().map_or(f.span, |(_, s)| *s);
            self.stages.push(Stage {
                id: id.map(|i| i.0).unwrap_or_default(),
                name: name.unwrap_or_default(),
                budget,
                budget_span,
                after,
                window,
                body,
                span,
                description,
            });
        }
    }

    fn refs(&mut self, n: &Node<'_>) -> Option<Vec<Ref>> {
        let items: Vec<&Node<'_>> = match &n.data {
            Data::Sequence(items) => items.iter().collect(),
            _ => vec![n],
        };
        let mut out = Vec::with_capacity(items.len());
        for it in items {
            let span = self.r.span(it);
            out.push(Ref { id: self.r.text(it, "after")?, span });
        }
        Some(out)
    }

    fn block_list(&mut self, n: &Node<'_>, stage: usize, key: &str, depth: usize) -> Vec<Block> {
        if let Data::Taken(list) = n.data {
            return self.taken(list, stage);
        }
        let Some(items) = self.r.list(n, key) else { return Vec::new() };
        if items.is_empty() {
            self.r.push(
                Diagnostic::error(Code::EmptyFlow, format!("`{key}` is an empty list"))
                    .at(self.r.span(n), "no steps here")
                    .help("add steps, or remove the empty block"),
            );
        }
        if depth > MAX_DEPTH {
            let start = self.r.span(n).start;
            self.r.push(
                Diagnostic::error(Code::InvalidValue, format!("blocks nested more than {MAX_DEPTH} deep"))
                    .at(Span::new(start, start), "too deep")
                    .help("flatten the nesting of `serial` and `parallel`"),
            );
            return Vec::new();
        }
        items.iter().filter_map(|it| self.block(it, stage, depth)).collect()
    }

    /// A stage's `steps` list as [`super::plain`] read it: its steps take
    /// the flow's defaults and the stage's index, meet the flow's
    /// `promise_ratio` and are registered, as [`Builder::step`] would have them.
    fn taken(&mut self, list: u32, stage: usize) -> Vec<Block> {
        let Some(mut taken) = self.taken.take() else { return Vec::new() };
        let first = taken.taken();
        let Some((blocks, range)) = taken.list(list, first) else {
            self.taken = Some(taken);
            return Vec::new();
        };
        let stage = u32::try_from(stage).unwrap_or(u32::MAX);
        let ratio = self.promise_ratio.map(|(ratio, _)| ratio);
        let mut steps = std::mem::take(&mut self.steps);
        for (i, step) in steps.get_mut(range).unwrap_or_default().iter_mut().enumerate() {
            if let (Some(ratio), Some(legal)) = (ratio, step.legal)
                && step.promised > check::allowed_by_ratio(ratio, legal)
            {
                taken.fail(); // the general way reports it
            }
            step.on_timeout = self.on_timeout;
            step.handling.set_acceptance_limit(self.acceptance_limit);
            step.stage = stage;
            // OK because the plain reader numbered these steps with u32 too.
            let index = StepIdx((first + i) as u32);
            self.written_steps += 1;
            if !self.register(&step.id, step.span, Target::Step(index)) {
                taken.fail();
            }
        }
        self.steps = steps;
        self.taken = Some(taken);
        blocks
    }

    /// How many steps are loaded so far: those of the lists taken when the
    /// plain reader read them ([`super::plain`]), else those pushed.
    fn loaded(&self) -> usize {
        self.taken.as_ref().map_or(self.steps.len(), super::plain::Taken::taken)
    }

    fn block(&mut self, n: &Node<'_>, stage: usize, depth: usize) -> Option<Block> {
        if n.is_mapping() {
            for kind in ["parallel", "serial"] {
                if n.keys().any(|k| k.as_str() == Some(kind)) {
                    let what = format!("a `{kind}` block");
                    let f = self.r.fields(n, &what, &[kind])?;
                    let inner = f.get(kind)?;
                    let items = self.block_list(inner, stage, kind, depth + 1);
                    return Some(if kind == "parallel" {
                        Block::Parallel(items)
                    } else {
                        Block::Serial(items)
                    });
                }
            }
        }
        self.step(n, stage).map(Block::Step)
    }

    /// One step: its parts are read in the order below, so its diagnostics
    /// come in that order too; `None` when any part did not read.
    fn step(&mut self, n: &Node<'_>, stage: usize) -> Option<StepIdx> {
        self.written_steps += 1;
        if let Some(taken) = &mut self.taken {
            // Every step of a plain file is in a list read already.
            taken.fail();
        }
        let f = self.r.fields(n, "a step", STEP_KEYS)?;
        let id = self.required(&f, "a step", "id", "give the step an id, e.g. `id: land-planning`");
        let id = id.and_then(|n| self.r.id(n, "id"));
        let what = id.as_ref().map_or("a step".to_string(), |(i, _)| format!("step `{i}`"));
        let name = self
            .required(&f, &what, "name", "give the step its title, e.g. `name: 建设用地规划许可证`")
            .and_then(|n| self.r.text(n, "name"));
        let depts = f.get("dept").map_or(Some(Vec::new()), |n| self.r.texts(n, "dept"));
        let kind =
            f.get("kind").map_or(Some(StepKind::Approval), |n| self.r.choice(n, "kind", &StepKind::ALL));
        let commissioned_by = self.commissioned_by(&f, &what, kind);
        let counted = self.counted(&f, &what, kind, commissioned_by);
        let days = self.step_days(&f, &what);
        let after = f.get("after").map_or(Some(Vec::new()), |n| self.refs(n));
        let when = f.get("when").map(|n| self.when(n));
        let on_timeout = f.get("on_timeout").map_or(Some(self.on_timeout), |n| self.timeout(n));
        let handling = self.handling(&f, self.acceptance_limit);
        let head =
            StepHead { id: id.as_ref().map(|(i, _)| i.as_str()), what: &what, kind, depts: depts.as_deref() };
        let mechanisms = self.step_mechanisms(&f, &head);
        let duration = f.get("duration").map(|n| self.model(n, "duration"));
        let supplement = f.get("supplement").map(|n| self.delay(n, "supplement"));
        let special = f.get("special").map(|n| self.delay(n, "special"));
        let description = f.get("description").and_then(|n| self.r.text(n, "description"));

        let legal = days.legal?;
        let (id, span) = id?;
        let index = StepIdx(u32::try_from(self.steps.len()).ok()?);
        let stage = u32::try_from(stage).ok()?;
        // Every part is read before the id is registered: a step read in part
        // is no step to wait for (its index goes to the next step read).
        let parts = (move || {
            Some(StepParts {
                id: String::new(),
                name: name?,
                depts: depts?,
                kind: kind?,
                filing: mechanisms.filing?,
                counted: counted?,
                legal,
                promised: days.promised?,
                min: days.min?,
                cost: days.cost?,
                after: after?,
                when: when.map_or(Some(None), |w| w.map(Some))?,
                on_timeout: on_timeout?,
                handling: handling?,
                joint: mechanisms.joint?,
                commissioned_by: commissioned_by?,
                provider: mechanisms.provider?,
                commitment: mechanisms.commitment?,
                provisional: mechanisms.provisional?,
                duration: duration.map_or(Some(None), |d| d.map(Some))?,
                supplement: supplement.map_or(Some(None), |d| d.map(Some))?,
                special: special.map_or(Some(None), |d| d.map(Some))?,
                stage,
                description,
                span,
            })
        })();
        if !self.register(&id, span, Target::Step(index)) {
            return None;
        }
        let Some(parts) = parts else {
            self.read_in_part.push(id);
            return None;
        };
        self.steps.push(Step::new(StepParts { id, ..parts }));
        Some(index)
    }

    /// `counted`, or what the step's kind (and who commissions an
    /// intermediary) implies when it is not written; checked against both.
    fn counted(
        &mut self,
        f: &Fields<'_>,
        what: &str,
        kind: Option<StepKind>,
        commissioned_by: Option<Option<CommissionedBy>>,
    ) -> Option<bool> {
        let counted = match (f.get("counted"), kind) {
            (Some(n), _) => self.r.boolean(n, "counted"),
            (None, Some(k)) => {
                let government = commissioned_by == Some(Some(CommissionedBy::Government));
                Some(k.counted_by_default() || government)
            }
            (None, None) => None,
        };
        self.counted_agrees(f, what, counted, commissioned_by.flatten());
        counted
    }

    /// A step's days: its limits, then `min` and `cost`.
    fn step_days(&mut self, f: &Fields<'_>, what: &str) -> StepDays {
        let (legal, promised) = self.limits(f, what);
        let min = self.step_min(f, what, promised);
        let cost = self.step_cost(f);
        StepDays { legal, promised, min, cost }
    }

    /// `legal` and `promised` (the legal limit when `promised` is not
    /// written), checked against each other and the flow's `promise_ratio`.
    /// The first is `None` when `legal` is written and did not read, `Some(None)` when not written.
    fn limits(&mut self, f: &Fields<'_>, what: &str) -> (Option<Option<u32>>, Option<u32>) {
        let legal = f.get("legal").map(|n| (self.r.days(n, "legal"), self.r.span(n)));
        let promised = match f.get("promised") {
            Some(n) => self.r.days(n, "promised").map(|d| (d, self.r.span(n))),
            None => match legal {
                Some((Some(l), span)) => Some((l, span)),
                Some((None, _)) => None,
                None => {
                    self.r.missing(
                        f,
                        what,
                        "promised",
                        "add `promised:` (承诺时限, working days; 0 for 即办), or `legal:` to promise the statutory limit",
                    );
                    None
                }
            },
        };
        if let (Some((p, pspan)), Some((Some(l), lspan)), Some((ratio, rspan))) =
            (promised, legal, self.promise_ratio)
            && p <= l
            && p > check::allowed_by_ratio(ratio, l)
        {
            let d = check::over_ratio(what, p, l, ratio);
            let d = if f.has("promised") {
                d.at(pspan, format!("promised {p}")).also(lspan, format!("legal limit {l}"))
            } else {
                d.at(lspan, format!("no `promised`: it promises its legal limit of {l}"))
            };
            self.r.push(d.also(rspan, format!("every step promises at most {ratio} of its legal limit")));
        }
        if let (Some((p, pspan)), Some((Some(l), lspan))) = (promised, legal)
            && p > l
        {
            self.r.push(
                Diagnostic::error(Code::PromisedOverLegal, format!("{what} promises {p} days, more than its legal limit of {l}"))
                    .at(pspan, format!("promised {p}"))
                    .also(lspan, format!("legal limit {l}"))
                    .help("a promised limit (承诺时限) must not exceed the statutory one (法定时限); lower `promised`"),
            );
        }
        let legal = match legal {
            Some((l, _)) => l.map(Some),
            None => Some(None),
        };
        (legal, promised.map(|(p, _)| p))
    }

    /// `min`, the shortest the step can be cut to: 0 when not written, never above `promised`.
    fn step_min(&mut self, f: &Fields<'_>, what: &str, promised: Option<u32>) -> Option<u32> {
        let Some(n) = f.get("min") else { return Some(0) };
        let m = self.r.days(n, "min");
        if let (Some(m), Some(p)) = (m, promised)
            && m > p
        {
            self.r.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("{what} has `min` {m}, more than `promised` {p}"),
                )
                .at(self.r.span(n), "cannot exceed the promised days")
                .help("`min` is the shortest the step can be cut to"),
            );
        }
        m
    }

    /// `cost`, of cutting one day: 1 when not written, never negative.
    fn step_cost(&mut self, f: &Fields<'_>) -> Option<f64> {
        let Some(n) = f.get("cost") else { return Some(1.0) };
        self.r.number(n, "cost").filter(|c| {
            let ok = *c >= 0.0;
            if !ok {
                self.r.push(
                    Diagnostic::error(Code::InvalidValue, format!("`cost` is {c}, which is negative"))
                        .at(self.r.span(n), "cost per day cut must be 0 or more"),
                );
            }
            ok
        })
    }

    fn when(&mut self, n: &Node<'_>) -> Option<super::Condition> {
        let text = match &n.data {
            Data::Boolean(b) => return Some(super::Condition::Const(*b)),
            _ => self.r.text(n, "when")?,
        };
        let span = self.r.span(n);
        // Quoted scalars start at the quote; the text starts one byte later.
        let quoted = matches!(self.r.source.text().as_bytes().get(span.start), Some(b'\'' | b'"'));
        let base = span.start + usize::from(quoted);
        match expr::parse(&text, &mut self.params) {
            Ok(c) => Some(c),
            Err(e) => {
                let code = match (e.unknown_param, e.too_deep) {
                    (true, _) => Code::UnknownParam,
                    (false, true) => Code::TooLarge,
                    (false, false) => Code::BadCondition,
                };
                let at = Span::new(base + e.start, (base + e.end).min(span.end.max(base + e.start)));
                let mut d = Diagnostic::error(code, e.message).at(at, "");
                if let Some(h) = e.help {
                    d = d.help(h);
                }
                self.r.push(d);
                None
            }
        }
    }

    fn delay(&mut self, n: &Node<'_>, key: &str) -> Option<Delay> {
        let f = self.r.fields(n, &format!("`{key}`"), DELAY_KEYS)?;
        let pn =
            self.required(&f, &format!("`{key}`"), "p", "add `p:`, the probability it happens (0 to 1)")?;
        let p = self.r.number(pn, "p")?;
        if !(0.0..=1.0).contains(&p) {
            self.r.push(
                Diagnostic::error(Code::InvalidValue, format!("probability `p` is {p}, outside 0 to 1"))
                    .at(self.r.span(pn), "a probability"),
            );
            return None;
        }
        let dn = self.required(&f, &format!("`{key}`"), "days", "add `days:`, how long it lasts")?;
        Some(Delay { p, days: self.model(dn, "days")? })
    }

    pub(super) fn model(&mut self, n: &Node<'_>, key: &str) -> Option<DurationModel> {
        if !n.is_mapping() {
            return self.r.span_days(n, key).map(DurationModel::Fixed);
        }
        let f = self.r.fields(n, &format!("`{key}`"), MODEL_KEYS)?;
        if f.len() != 1 {
            self.r.push(
                Diagnostic::error(Code::InvalidValue, format!("`{key}` must name exactly one model"))
                    .at(f.span, "one of: fixed, triangular, pert, empirical")
                    .help("e.g. `{ triangular: [3, 5, 12] }`"),
            );
            return None;
        }
        if let Some(v) = f.get("fixed") {
            return self.r.span_days(v, "fixed").map(DurationModel::Fixed);
        }
        if let Some(v) = f.get("empirical") {
            let items = self.r.list(v, "empirical")?;
            if items.is_empty() {
                self.r.push(
                    Diagnostic::error(Code::InvalidValue, "`empirical` needs at least one observed duration")
                        .at(self.r.span(v), "empty list"),
                );
                return None;
            }
            let xs: Option<Vec<f64>> = items.iter().map(|i| self.r.span_days(i, "empirical")).collect();
            return xs.map(DurationModel::Empirical);
        }
        let (name, v) =
            f.get("triangular").map(|v| ("triangular", v)).or_else(|| f.get("pert").map(|v| ("pert", v)))?;
        let items = self.r.list(v, name)?;
        let span = self.r.span(v);
        if items.len() != 3 {
            self.r.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("`{name}` takes three numbers, found {}", items.len()),
                )
                .at(span, "[min, mode, max]"),
            );
            return None;
        }
        let xs: Option<Vec<f64>> = items.iter().map(|i| self.r.span_days(i, name)).collect();
        let xs = xs?;
        let (min, mode, max) = (xs[0], xs[1], xs[2]);
        if !(min <= mode && mode <= max) {
            self.r.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("`{name}` needs min ≤ mode ≤ max, found [{min}, {mode}, {max}]"),
                )
                .at(span, "out of order"),
            );
            return None;
        }
        Some(if name == "pert" {
            DurationModel::Pert { min, mode, max }
        } else {
            DurationModel::Triangular { min, mode, max }
        })
    }
}
