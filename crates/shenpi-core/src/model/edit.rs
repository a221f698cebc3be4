//! What-if edits: a copy of a flow changed in code, validated again.
//!
//! A [`Flow`] cannot be changed in place: its fields are private, so a flow
//! in hand is always valid. [`Flow::edit`] copies it into a [`FlowDraft`],
//! lets the caller change budgets, limits, models and `after` lists, and
//! checks the result with the loader's rules: only a valid flow comes back.

use super::check;
use super::{
    Alerts, DeadlinePolicy, Delay, DurationModel, Flow, Provisional, Ref, Stage, Step, TimeoutPolicy,
};
use crate::diag::{Code, Diagnostic, Report, Span, suggest};

/// A flow being changed by [`Flow::edit`].
///
/// Steps and stages are named by id; an id the flow does not have is
/// reported in the edit's diagnostics (with the nearest id as help), and
/// the changes asked of it are dropped. Ids, names, stages and the block
/// structure cannot change: a flow with other steps is another flow file.
#[derive(Debug)]
pub struct FlowDraft {
    flow: Flow,
    diags: Vec<Diagnostic>,
}

/// One step of a [`FlowDraft`], from [`FlowDraft::step`]; every setter
/// returns the draft so that changes chain.
#[derive(Debug)]
pub struct StepDraft<'a> {
    step: Option<&'a mut Step>,
}

/// One stage of a [`FlowDraft`], from [`FlowDraft::stage`].
#[derive(Debug)]
pub struct StageDraft<'a> {
    stage: Option<&'a mut Stage>,
}

impl Flow {
    /// A changed copy of this flow, validated again: what-if questions such as
    /// "what if the EIA approval promised 5 days" or "what if the budget were
    /// 80 days". `change` edits a [`FlowDraft`]; the result is checked with the
    /// loader's rules (references, cycles, `promised` within `legal`, models in
    /// order, …) and returned only when valid. The copy keeps this flow's
    /// source for its diagnostics, and [`Flow::is_edited`] is true for it.
    ///
    /// # Errors
    /// Every problem of the changed flow, as a [`Report`] over this flow's
    /// source, each diagnostic at the step or stage it is about.
    ///
    /// # Example
    /// ```
    /// use shenpi_core::Flow;
    ///
    /// let flow = Flow::parse("f.yaml", "
    /// id: f
    /// name: two reviews
    /// budget: 10
    /// stages:
    ///   - id: s
    ///     name: stage
    ///     steps:
    ///       - { id: a, name: A, legal: 20, promised: 5 }
    ///       - { id: b, name: B, legal: 20, promised: 7 }
    /// ").unwrap();
    /// let faster = flow.edit(|d| {
    ///     d.step("b").promised(3);
    ///     d.budget(Some(8));
    /// })?;
    /// assert_eq!(faster.step("b").unwrap().1.promised(), 3);
    ///
    /// // Promising more than the law allows, or waiting for a step in a circle, is refused.
    /// let report = flow.edit(|d| { d.step("a").promised(30).after(["b"]); }).unwrap_err();
    /// let codes: Vec<&str> = report.diagnostics().iter().map(|d| d.code.as_str()).collect();
    /// assert_eq!(codes, ["E008", "E003"]);
    /// # Ok::<(), shenpi_core::diag::Report>(())
    /// ```
    pub fn edit(&self, change: impl FnOnce(&mut FlowDraft)) -> Result<Flow, Report> {
        let mut draft = FlowDraft { flow: self.clone(), diags: Vec::new() };
        change(&mut draft);
        let FlowDraft { mut flow, mut diags } = draft;
        flow.edited = true;
        diags.extend(check::values(&flow));
        let unknown = check::unknown_refs(&flow.stages, &flow.steps, &flow.index);
        let resolved = unknown.is_empty();
        diags.extend(if resolved { check::cycles(&flow.stages, &flow.steps, &flow.index) } else { unknown });
        diags.extend(check::mechanisms(&flow.stages, &flow.steps, &flow.index, resolved));
        if diags.iter().any(Diagnostic::is_error) {
            return Err(Report::new(self.source.clone(), diags));
        }
        Ok(flow)
    }

    /// This flow with every `after` of steps and stages dropped (a stage with
    /// `after` then waits for nothing). Dropping edges cannot close a cycle,
    /// so the result is valid without a check. The oracle that
    /// `Plan::relaxed_after`, which needs no copy, is tested against.
    #[cfg(test)]
    pub(crate) fn without_after(&self) -> Flow {
        let mut free = self.clone();
        for s in &mut free.steps {
            s.after.clear();
        }
        for st in &mut free.stages {
            if st.after.is_some() {
                st.after = Some(Vec::new());
            }
        }
        free.edited = true;
        free
    }

    /// True for a flow made by [`Flow::edit`]: its source text is the flow it
    /// was edited from, not a text of this flow.
    pub fn is_edited(&self) -> bool {
        self.edited
    }
}

impl FlowDraft {
    /// Sets the total control on counted working days, or removes it.
    pub fn budget(&mut self, days: Option<u32>) -> &mut FlowDraft {
        self.flow.budget = days;
        self
    }

    /// Sets how deadlines are handed to departments.
    pub fn deadline_policy(&mut self, policy: DeadlinePolicy) -> &mut FlowDraft {
        self.flow.deadline_policy = policy;
        self
    }

    /// Sets or removes the largest share of its legal limit a step may
    /// promise (`promise_ratio`); every step is checked against it again.
    pub fn promise_ratio(&mut self, ratio: Option<f64>) -> &mut FlowDraft {
        self.flow.promise_ratio = ratio;
        self
    }

    /// Sets the electronic supervision thresholds.
    pub fn alerts(&mut self, alerts: Alerts) -> &mut FlowDraft {
        self.flow.alerts = alerts;
        self
    }

    /// The step with this id, to change; an unknown id is reported.
    pub fn step(&mut self, id: &str) -> StepDraft<'_> {
        let found = self.flow.steps.iter().position(|s| s.id == id);
        if found.is_none() {
            let ids: Vec<String> = self.flow.steps.iter().map(|s| s.id.clone()).collect();
            self.unknown("step", id, &ids);
        }
        StepDraft { step: found.map(|i| &mut self.flow.steps[i]) }
    }

    /// Every step, in file order, to change alike.
    pub fn steps(&mut self) -> impl Iterator<Item = StepDraft<'_>> {
        self.flow.steps.iter_mut().map(|s| StepDraft { step: Some(s) })
    }

    /// The stage with this id, to change; an unknown id is reported.
    pub fn stage(&mut self, id: &str) -> StageDraft<'_> {
        let found = self.flow.stages.iter().position(|s| s.id == id);
        if found.is_none() {
            let ids: Vec<String> = self.flow.stages.iter().map(|s| s.id.clone()).collect();
            self.unknown("stage", id, &ids);
        }
        StageDraft { stage: found.map(|i| &mut self.flow.stages[i]) }
    }

    fn unknown(&mut self, what: &str, id: &str, ids: &[String]) {
        let d = Diagnostic::error(Code::UnknownReference, format!("the edit names unknown {what} `{id}`"))
            .at(Span::default(), "");
        let d = match suggest(id, ids.iter().map(String::as_str)) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help(format!("name a {what} of flow `{}`", self.flow.id)),
        };
        self.diags.push(d);
    }
}

impl StepDraft<'_> {
    fn set(&mut self, f: impl FnOnce(&mut Step)) -> &mut Self {
        if let Some(s) = self.step.as_deref_mut() {
            f(s);
        }
        self
    }

    /// Sets the promised limit (承诺时限) in working days.
    pub fn promised(&mut self, days: u32) -> &mut Self {
        self.set(|s| s.promised = days)
    }

    /// Sets or removes the statutory limit (法定时限).
    pub fn legal(&mut self, days: Option<u32>) -> &mut Self {
        self.set(|s| s.legal = days)
    }

    /// Sets the shortest the step can be cut to.
    pub fn min(&mut self, days: u32) -> &mut Self {
        self.set(|s| s.min = days)
    }

    /// Sets the cost of cutting one day.
    pub fn cost(&mut self, cost: f64) -> &mut Self {
        self.set(|s| s.cost = cost)
    }

    /// Sets whether its days consume the budget.
    pub fn counted(&mut self, counted: bool) -> &mut Self {
        self.set(|s| s.counted = counted)
    }

    /// Sets what happens when its deadline passes undecided.
    pub fn on_timeout(&mut self, policy: TimeoutPolicy) -> &mut Self {
        self.set(|s| s.on_timeout = policy)
    }

    /// Lets the step run ahead of the prerequisites `before` (ids of steps it
    /// waits for) in a simulated project (模拟审批), its result confirmed within
    /// `confirm_within` working days after the last of them is decided. An id
    /// the step does not wait for is reported.
    pub fn provisional<'i>(
        &mut self,
        before: impl IntoIterator<Item = &'i str>,
        confirm_within: u32,
    ) -> &mut Self {
        self.set(|s| {
            let span = s.span;
            let before = before.into_iter().map(|id| Ref { id: id.to_string(), span }).collect();
            s.extras_mut().provisional = Some(Provisional { before, confirm_within });
        })
    }

    /// Takes away simulated approval (模拟审批) from the step.
    pub fn not_provisional(&mut self) -> &mut Self {
        self.set(|s| s.extras_mut().provisional = None)
    }

    /// Sets or removes its duration model for simulation.
    pub fn duration(&mut self, model: Option<DurationModel>) -> &mut Self {
        self.set(|s| s.extras_mut().duration = model)
    }

    /// Sets or removes the chance of a 补正 request.
    pub fn supplement(&mut self, delay: Option<Delay>) -> &mut Self {
        self.set(|s| s.extras_mut().supplement = delay)
    }

    /// Sets or removes the chance of a special procedure.
    pub fn special(&mut self, delay: Option<Delay>) -> &mut Self {
        self.set(|s| s.extras_mut().special = delay)
    }

    /// Replaces the extra steps or stages it waits for, by id.
    pub fn after<'i>(&mut self, ids: impl IntoIterator<Item = &'i str>) -> &mut Self {
        self.set(|s| {
            let span = s.span;
            s.after = ids.into_iter().map(|id| Ref { id: id.to_string(), span }).collect();
        })
    }
}

impl StageDraft<'_> {
    /// Sets or removes the stage's budget.
    pub fn budget(&mut self, days: Option<u32>) -> &mut Self {
        if let Some(s) = self.stage.as_deref_mut() {
            s.budget = days;
        }
        self
    }
}
