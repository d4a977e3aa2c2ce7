//! The rule form: matcher, condition, channel and cooldown, with a preview of how
//! often the rule would have fired over the last 24 hours before it is saved.
//! One server function answers both buttons (the pressed one is `intent`), so the
//! form also works as a plain HTML form before hydration.

use leptos::form::ActionForm;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::fields::{CONDITIONS, RuleFields};
use crate::error::PageError;
use crate::format;
use crate::model::StepKind;
use crate::model::alerts::{AlertRule, GroupBy, RulePreview};

// One value per form submission, moved once: boxing the larger variant buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum FormOutcome {
    Saved(AlertRule),
    Preview(RulePreview),
}

/// Saves the rule (`intent` = "save") or previews it ("preview").
#[server(prefix = "/rpc", endpoint = "alert_rule_form")]
pub async fn rule_form(f: RuleFields, intent: Option<String>) -> Result<FormOutcome, PageError> {
    let outcome = async {
        let spec = f.to_spec()?;
        let data = crate::data::data()?;
        if intent.as_deref() == Some("preview") {
            return Ok(FormOutcome::Preview(data.preview_alert_rule(spec).await?));
        }
        Ok(FormOutcome::Saved(data.save_alert_rule(f.rule_id()?, spec).await?))
    };
    PageError::answer(outcome.await)
}

#[component]
pub fn RuleEditor(fields: RuleFields, action: ServerAction<RuleForm>) -> impl IntoView {
    let editing = !fields.id.is_empty();
    let f = fields;
    let kinds = StepKind::ALL
        .into_iter()
        .map(|k| view! { <option value=k.as_str() selected=f.kind == k.as_str()>{k.as_str()}</option> })
        .collect_view();
    let conditions =
        CONDITIONS.into_iter().map(|(v, label)| view! { <option value=v selected=f.condition == v>{label}</option> }).collect_view();
    let groups = GroupBy::ALL
        .into_iter()
        .map(|g| view! { <option value=g.as_str() selected=f.group_by == g.as_str()>{format!("per {}", g.as_str())}</option> })
        .collect_view();
    let slack = f.format == "slack";
    view! {
        <div class="card rule-editor" id="rule-form">
            <h2>{if editing { format!("Edit rule: {}", f.name) } else { "New rule".to_string() }}</h2>
            <ActionForm action attr:class="filters rule-form" attr:data-testid="rule-form">
                <input type="hidden" name="f[id]" value=f.id.clone() />
                <fieldset>
                    <legend>"Name"</legend>
                    <label class="grow">"Rule name" <input name="f[name]" required value=f.name.clone() data-testid="rule-name" /></label>
                </fieldset>
                <fieldset>
                    <legend>"Spans it watches (all set fields must match; a log rule uses service and attribute)"</legend>
                    <label>"Kind"
                        <select name="f[kind]" data-testid="rule-kind"><option value="">"any"</option>{kinds}</select>
                    </label>
                    <label class="grow">"Span name (* and ? as wildcards)" <input name="f[span_name]" placeholder="execute_tool *" value=f.span_name.clone() /></label>
                    <label>"Tool" <input name="f[tool]" placeholder="search_hotels" value=f.tool.clone() /></label>
                    <label>"Model" <input name="f[model]" placeholder="gpt-4o" value=f.model.clone() /></label>
                    <label>"Service" <input name="f[service]" placeholder="booking-agent" value=f.service.clone() /></label>
                    <label>"Attribute" <input name="f[attr_key]" placeholder="tenant.id" value=f.attr_key.clone() /></label>
                    <label>"equals" <input name="f[attr_value]" placeholder="acme" value=f.attr_value.clone() /></label>
                </fieldset>
                <fieldset>
                    <legend>"Fires when"</legend>
                    <label class="grow">"Condition" <select name="f[condition]" data-testid="rule-condition">{conditions}</select></label>
                    <label class="narrow threshold" title="A number, or for a log rule a severity: warn, error or fatal">"Threshold" <input name="f[threshold]" value=f.threshold.clone() data-testid="rule-threshold" /></label>
                    <label class="narrow window-only">"Window (minutes)" <input name="f[window_min]" inputmode="numeric" value=f.window_min.clone() /></label>
                    <label class="narrow window-only">"Minimum spans" <input name="f[min_count]" inputmode="numeric" placeholder="10" value=f.min_count.clone() /></label>
                </fieldset>
                <fieldset>
                    <legend>"Notify"</legend>
                    <label class="grow">"Webhook URL (empty: history only)"
                        <input name="f[url]" type="url" placeholder="https://hooks.slack.com/services/…" value=f.url.clone() data-testid="rule-url" />
                    </label>
                    <label>"Format"
                        <select name="f[format]" data-testid="rule-format">
                            <option value="json" selected=!slack>"JSON"</option>
                            <option value="slack" selected=slack>"Slack"</option>
                        </select>
                    </label>
                    <label class="narrow">"Cooldown (s)" <input name="f[cooldown_s]" inputmode="numeric" value=f.cooldown_s.clone() /></label>
                    <label class="span-only">"Cooldown kept"
                        <select name="f[group_by]"><option value="">"per rule"</option>{groups}</select>
                    </label>
                    <label title="Teammates without an account open the span from the notification">"Share link in notification"
                        <select name="f[share]" data-testid="rule-share">
                            <option value="" selected=f.share.is_empty()>"none"</option>
                            {crate::model::share::EXPIRIES.into_iter().map(|(v, t)| view! { <option value=v selected=f.share == v>{format!("valid {t}")}</option> }).collect_view()}
                        </select>
                    </label>
                </fieldset>
                <span class="filter-actions">
                    // First, so Enter in a field previews rather than saves.
                    <button class="button" type="submit" name="intent" value="preview" data-testid="preview-rule">"Preview last 24 h"</button>
                    <button class="button primary" type="submit" name="intent" value="save" data-testid="save-rule">
                        {if editing { "Save changes" } else { "Create rule" }}
                    </button>
                    {editing.then(|| view! { <a class="button" href="/alerts">"Cancel"</a> })}
                </span>
            </ActionForm>
            <Outcome action />
        </div>
    }
}

#[component]
fn Outcome(action: ServerAction<RuleForm>) -> impl IntoView {
    move || match action.value().get() {
        Some(Ok(FormOutcome::Saved(r))) => view! {
            <p class="saved" data-testid="rule-saved">{format!("Saved rule {:?}: it fires from now on.", r.spec.name)}</p>
        }
        .into_any(),
        Some(Ok(FormOutcome::Preview(p))) => view! { <PreviewView p /> }.into_any(),
        Some(Err(e)) => view! { <p class="form-error" data-testid="rule-error">{e.to_string()}</p> }.into_any(),
        None => ().into_any(),
    }
}

#[component]
fn PreviewView(p: RulePreview) -> impl IntoView {
    let peak = p.per_hour.iter().copied().max().unwrap_or(0).max(1);
    let hours = p.per_hour.len();
    let bars = p
        .per_hour
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let h = (n as f64 / peak as f64 * 100.0).round();
            let ago = hours - i;
            view! { <span class="preview-bar" class:none=n == 0 style=format!("height: {h}%") title=format!("{n} firing(s), {ago} h ago")></span> }
        })
        .collect_view();
    let what = if p.of_logs { "matching log records" } else { "matching spans" };
    let text = if p.firings == 0 {
        format!("Over the last 24 h this rule would not have fired ({} {what}).", format::count(p.matching_spans as i64))
    } else {
        let plural = |n: u64, one: &str, many: &str| format!("{} {}", format::count(n as i64), if n == 1 { one } else { many });
        format!(
            "Over the last 24 h this rule would have fired {} and sent {} after the cooldown ({} {what}).",
            plural(p.firings, "time", "times"),
            plural(p.notifications, "notification", "notifications"),
            format::count(p.matching_spans as i64)
        )
    };
    view! {
        <div class="preview" data-testid="rule-preview" data-firings=p.firings data-notifications=p.notifications>
            <p>{text}</p>
            {p.truncated.then(|| {
                let limit = if p.of_logs { "100,000 log records" } else { "500,000 spans" };
                view! { <p class="hint">{format!("Busy range: counted over the newest {limit} only.")}</p> }
            })}
            <div class="preview-bars" aria-label="firings per hour, oldest first">{bars}</div>
            <p class="hint preview-axis"><span>"24 h ago"</span><span>"now"</span></p>
        </div>
    }
}
