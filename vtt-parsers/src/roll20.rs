//! Roll20: the chat log HTML and the Mod (API) `chat:message` object, and what they share.

pub(crate) mod api;
pub(crate) mod html;
mod inline;

pub(crate) use inline::parse_title;

use crate::record::Role;

/// The role of one roll of a Roll20 roll template.
///
/// `template` is the template name (`atkdmg`), `field` the template field or the
/// classes around the roll (`dmg1`, `sheet-damagetemplate sheet-crit`), and
/// `label` the roll's name (`STRENGTH SAVE`).
pub(crate) fn template_role(template: &str, field: &str, label: Option<&str>) -> Option<Role> {
    let field = field.to_ascii_lowercase();
    let is_damage = field.contains("dmg") || field.contains("damage");
    let is_crit = field
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| word.contains("crit"));
    if is_damage && is_crit || field.starts_with("crit") {
        return Some(Role::CriticalDamage);
    }
    if is_damage || template == "dmg" || template == "npcdmg" {
        return Some(Role::Damage);
    }
    if matches!(template, "atk" | "atkdmg" | "npcatk" | "npcfullatk") || field.contains("to hit") {
        return Some(Role::Attack);
    }
    let label = label.unwrap_or("").to_ascii_lowercase();
    if label.contains("initiative") {
        return Some(Role::Initiative);
    }
    if label.contains("save") || label.contains("saving") {
        return Some(Role::Save);
    }
    if matches!(template, "simple" | "skill" | "check" | "npc") {
        return Some(Role::Check);
    }
    None
}

/// The part of a `div.message span.by` text that names the sender, or the
/// whisper's direction and other party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum By {
    /// A plain sender: `Alice:`.
    Speaker(String),
    /// A whisper received: `(From Alice):`.
    From(String),
    /// The sender's own whisper: `(To GM):`.
    To(String),
}

impl By {
    pub(crate) fn parse(text: &str) -> Option<By> {
        let text = text.trim().trim_end_matches(':').trim();
        if text.is_empty() {
            return None;
        }
        if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
            if let Some(name) = inner.strip_prefix("From ") {
                return Some(By::From(name.trim().to_string()));
            }
            if let Some(name) = inner.strip_prefix("To ") {
                return Some(By::To(name.trim().to_string()));
            }
        }
        Some(By::Speaker(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_of_template_rolls() {
        assert_eq!(template_role("atkdmg", "r1", None), Some(Role::Attack));
        assert_eq!(template_role("atkdmg", "dmg1", None), Some(Role::Damage));
        assert_eq!(
            template_role("atkdmg", "crit1", None),
            Some(Role::CriticalDamage)
        );
        assert_eq!(
            template_role("atkdmg", "sheet-damagetemplate sheet-crit", None),
            Some(Role::CriticalDamage)
        );
        assert_eq!(
            template_role("simple", "r1", Some("DEXTERITY SAVE")),
            Some(Role::Save)
        );
        assert_eq!(
            template_role("simple", "r1", Some("INITIATIVE")),
            Some(Role::Initiative)
        );
        assert_eq!(
            template_role("simple", "r1", Some("PERCEPTION")),
            Some(Role::Check)
        );
        assert_eq!(template_role("default", "", None), None);
        assert_eq!(
            template_role("npcaction", "sheet-desc  to hit, reach 5 ft.", None),
            Some(Role::Attack)
        );
        assert_eq!(
            template_role("npcaction", "sheet-desc  slashing damage.", None),
            Some(Role::Damage)
        );
    }

    #[test]
    fn by_lines() {
        assert_eq!(By::parse("Alice:"), Some(By::Speaker("Alice".into())));
        assert_eq!(By::parse("(From Bob): "), Some(By::From("Bob".into())));
        assert_eq!(By::parse("(To GM):"), Some(By::To("GM".into())));
        assert_eq!(By::parse(" : "), None);
    }
}
