//! The luck page: each member's observed d20 faces against the exact uniform expectation,
//! charted by the dice crate, with a chi-square goodness-of-fit verdict; and any
//! expression's exact distribution, typed into a box.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use critfumble_dice::{Distribution, chart_svg, parse};
use critfumble_sdk::wire::MemberRole;
use serde::Deserialize;
use uuid::Uuid;

use super::PageError;
use super::session::SignedIn;
use super::view::{Layout, render};
use crate::auth::Need;
use crate::extract::{ApiPath, ApiQuery};
use crate::luck::{Verdict, fairness};
use crate::state::AppState;

/// How many of the campaign's newest rolls with d20s the page counts.
pub const LUCK_ROLLS: u32 = 20_000;
/// The longest expression the box takes.
pub const MAX_EXPRESSION_CHARS: usize = 200;

/// The page's query: the expression typed into the box.
#[derive(Debug, Default, Deserialize)]
pub struct LuckQuery {
    #[serde(default)]
    expression: String,
}

/// One member's row on the page.
#[derive(Debug)]
pub struct MemberLuck {
    /// The member's name.
    pub name: String,
    /// How many d20s.
    pub d20s: u64,
    /// The mean face, as text.
    pub mean: String,
    /// The chi-square statistic, as text.
    pub chi_square: String,
    /// The p-value, as text.
    pub p_value: String,
    /// The verdict.
    pub verdict: &'static str,
    /// The CSS class of the verdict.
    pub verdict_class: &'static str,
    /// The chart (SVG from the dice crate, escaped by it).
    pub chart: String,
}

#[derive(Template)]
#[template(path = "luck.html")]
struct LuckPage {
    layout: Layout,
    campaign_id: Uuid,
    campaign_name: String,
    members: Vec<MemberLuck>,
    expression: String,
    expression_chart: Option<String>,
    expression_note: String,
    expression_error: Option<String>,
    luck_rolls: u32,
}

/// The observed faces as a distribution, for the chart.
fn observed(faces: &[u64; 20]) -> Distribution {
    let total: u64 = faces.iter().sum::<u64>().max(1);
    #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
    let probabilities: Vec<(f64, f64)> = faces
        .iter()
        .zip(1..)
        .map(|(&count, face)| (f64::from(face), count as f64 / total as f64))
        .collect();
    let mean: f64 = probabilities.iter().map(|(v, p)| v * p).sum();
    let variance: f64 = probabilities
        .iter()
        .map(|(v, p)| (v - mean).powi(2) * p)
        .sum();
    Distribution {
        exact: true,
        probabilities,
        truncated_mass: 0.0,
        min: Some(1.0),
        max: Some(20.0),
        mean,
        variance,
        stddev: variance.sqrt(),
        samples: Some(total),
        standard_error: None,
    }
}

fn member_luck(name: String, faces: &[u64; 20], fair_d20: &Distribution) -> MemberLuck {
    let test = fairness(faces);
    let label = format!("{name}'s d20s");
    MemberLuck {
        d20s: test.d20s,
        mean: test.mean.map(|m| format!("{m:.2}")).unwrap_or_default(),
        chi_square: format!("{:.2}", test.chi_square),
        p_value: if test.p_value < 0.0001 {
            "< 0.0001".to_owned()
        } else {
            format!("{:.4}", test.p_value)
        },
        verdict: test.verdict.text(),
        verdict_class: match test.verdict {
            Verdict::UnusuallyHigh | Verdict::UnusuallyLow | Verdict::Uneven => "verdict high",
            Verdict::Fair | Verdict::TooFew => "verdict",
        },
        chart: chart_svg(&observed(faces), Some(fair_d20), &[&label, "fair d20"]),
        name,
    }
}

/// The chart of `expression`'s distribution, a note on it, or the parser's error.
fn expression_chart(expression: &str) -> Result<(String, String), String> {
    if expression.chars().count() > MAX_EXPRESSION_CHARS {
        return Err(format!(
            "the expression is longer than {MAX_EXPRESSION_CHARS} characters"
        ));
    }
    let parsed = parse(expression).map_err(|error| error.to_string())?;
    let distribution = Distribution::of(&parsed).map_err(|error| error.to_string())?;
    let note = if distribution.exact {
        format!(
            "exact; mean {:.3}, standard deviation {:.3}",
            distribution.mean, distribution.stddev
        )
    } else {
        format!(
            "estimated from {} rolls (too large to compute exactly); mean {:.3}",
            distribution.samples.unwrap_or_default(),
            distribution.mean
        )
    };
    Ok((chart_svg(&distribution, None, &[expression]), note))
}

/// `GET /campaigns/{id}/luck`: members only. A player sees the others' public rolls and
/// all of their own, the GM every roll (as in the API's roll statistics).
pub async fn luck(
    State(state): State<AppState>,
    session: SignedIn,
    ApiPath(campaign_id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<LuckQuery>,
) -> Result<Response, PageError> {
    let (campaign, role) = session
        .caller
        .campaign_access(state.store(), campaign_id, Need::Member)
        .await?;
    let viewer = (role != Some(MemberRole::Gm)).then_some(session.user.id);
    let members = state
        .store()
        .d20_faces(campaign_id, viewer, LUCK_ROLLS)
        .await?;
    let expression = query.expression.trim().to_owned();
    // The charts are pure computation (the expression's up to tens of milliseconds): off
    // the async workers.
    let (members, chart) = tokio::task::spawn_blocking({
        let expression = expression.clone();
        move || {
            let fair_d20 = parse("1d20")
                .and_then(|d20| Distribution::of(&d20))
                .map_err(|error| error.to_string())?;
            let members: Vec<MemberLuck> = members
                .into_iter()
                .map(|member| member_luck(member.name, &member.faces, &fair_d20))
                .collect();
            let chart = (!expression.is_empty()).then(|| expression_chart(&expression));
            Ok::<_, String>((members, chart))
        }
    })
    .await
    .map_err(crate::error::AppError::internal)?
    .map_err(crate::error::AppError::internal)?;
    let (expression_chart, expression_note, expression_error) = match chart {
        None => (None, String::new(), None),
        Some(Ok((svg, note))) => (Some(svg), note, None),
        Some(Err(error)) => (None, String::new(), Some(error)),
    };
    render(&LuckPage {
        layout: Layout::of(&session),
        campaign_id,
        campaign_name: campaign.name,
        members,
        expression,
        expression_chart,
        expression_note,
        expression_error,
        luck_rolls: LUCK_ROLLS,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The probability of a bar of the chart, read back from its data attributes.
    fn bar(svg: &str, series: u32, total: u32) -> f64 {
        let marker = format!("data-series=\"{series}\" data-total=\"{total}\" data-probability=\"");
        let start = svg.find(&marker).unwrap() + marker.len();
        svg[start..start + svg[start..].find('"').unwrap()]
            .parse()
            .unwrap()
    }

    #[test]
    fn the_observed_chart_has_one_bar_per_face_and_the_fair_overlay() {
        let mut faces = [5; 20];
        faces[19] = 25;
        let fair = Distribution::of(&parse("1d20").unwrap()).unwrap();
        let luck = member_luck("Piet <b>".to_owned(), &faces, &fair);
        // Twenty observed bars and twenty fair ones; 25 of 120 is the 20's share.
        assert_eq!(luck.chart.matches("class=\"bar\"").count(), 40);
        assert!((bar(&luck.chart, 0, 20) - 25.0 / 120.0).abs() < 1e-12);
        assert!((bar(&luck.chart, 0, 1) - 5.0 / 120.0).abs() < 1e-12);
        assert!((bar(&luck.chart, 1, 20) - 0.05).abs() < 1e-12);
        // The dice crate escapes the legend.
        assert!(luck.chart.contains("Piet &lt;b&gt;'s d20s"));
        assert_eq!(luck.d20s, 120);
    }

    #[test]
    fn the_expression_box_charts_or_explains() {
        let (svg, note) = expression_chart("2d6").unwrap();
        assert_eq!(svg.matches("class=\"bar\"").count(), 11);
        assert!(note.starts_with("exact; mean 7.000"), "{note}");
        let error = expression_chart("2d6+").unwrap_err();
        assert!(error.contains('5') || error.contains("end"), "{error}");
        assert!(
            expression_chart(&"1".repeat(201))
                .unwrap_err()
                .contains("200 characters")
        );
    }
}
