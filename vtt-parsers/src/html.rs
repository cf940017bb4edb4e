//! Small HTML helpers over `tl`: classes, attributes, entity decoding and visible text.
//!
//! Every walk over the tree is iterative, so that deeply nested input cannot
//! overflow the stack.

use std::borrow::Cow;

use tl::{HTMLTag, Node, NodeHandle, Parser};

/// Parses an HTML fragment. `tl` accepts any input; the error arm only covers its API.
pub(crate) fn parse(input: &str) -> Option<tl::VDom<'_>> {
    tl::parse(input, tl::ParserOptions::default()).ok()
}

/// True when `tag` carries the class `name`.
pub(crate) fn has_class(tag: &HTMLTag<'_>, name: &str) -> bool {
    tag.attributes()
        .class_iter()
        .is_some_and(|mut classes| classes.any(|class| class == name))
}

/// The classes of `tag`.
pub(crate) fn classes<'t>(tag: &'t HTMLTag<'_>) -> Vec<&'t str> {
    tag.attributes()
        .class_iter()
        .map(|classes| classes.collect())
        .unwrap_or_default()
}

/// The value of attribute `name`, entities decoded.
pub(crate) fn attribute(tag: &HTMLTag<'_>, name: &str) -> Option<String> {
    let value = tag.attributes().get(name)??;
    Some(decode_entities(&value.as_utf8_str()).into_owned())
}

/// The tag at `handle`, if it is one.
pub(crate) fn tag<'p, 'a>(parser: &'p Parser<'a>, handle: NodeHandle) -> Option<&'p HTMLTag<'a>> {
    handle.get(parser).and_then(Node::as_tag)
}

/// The direct children of `tag`.
pub(crate) fn children(tag: &HTMLTag<'_>) -> Vec<NodeHandle> {
    tag.children().top().iter().copied().collect()
}

/// Every tag under `root` (excluded), in document order.
pub(crate) fn descendants(parser: &Parser<'_>, root: &HTMLTag<'_>) -> Vec<NodeHandle> {
    let mut found = Vec::new();
    let mut stack: Vec<NodeHandle> = children(root).into_iter().rev().collect();
    while let Some(handle) = stack.pop() {
        if let Some(tag) = tag(parser, handle) {
            found.push(handle);
            stack.extend(children(tag).into_iter().rev());
        }
    }
    found
}

/// What a visible-text walk does with a tag.
pub(crate) enum Visit {
    /// Descend into it.
    Enter,
    /// Leave it and everything in it out.
    Skip,
    /// Write this text instead of it.
    Replace(String),
}

/// The visible text under `root`, entities decoded and whitespace collapsed.
///
/// `visit` decides for each tag whether to enter it, skip it, or replace it.
pub(crate) fn visible_text(
    parser: &Parser<'_>,
    root: &[NodeHandle],
    visit: &dyn Fn(&HTMLTag<'_>) -> Visit,
) -> String {
    let mut raw = String::new();
    let mut stack: Vec<NodeHandle> = root.iter().rev().copied().collect();
    while let Some(handle) = stack.pop() {
        match handle.get(parser) {
            Some(Node::Raw(text)) => raw.push_str(&decode_entities(&text.as_utf8_str())),
            Some(Node::Tag(tag)) => {
                let name = tag.name().as_utf8_str();
                if name.eq_ignore_ascii_case("script") || name.eq_ignore_ascii_case("style") {
                    continue;
                }
                if name.eq_ignore_ascii_case("br") {
                    raw.push(' ');
                    continue;
                }
                match visit(tag) {
                    Visit::Enter => {
                        raw.push(' ');
                        stack.extend(children(tag).into_iter().rev());
                    }
                    Visit::Skip => {}
                    Visit::Replace(text) => raw.push_str(&text),
                }
            }
            Some(Node::Comment(_)) | None => {}
        }
    }
    collapse_whitespace(&raw)
}

/// The text directly inside `tag` (not in its child tags), decoded and trimmed.
pub(crate) fn own_text(parser: &Parser<'_>, tag: &HTMLTag<'_>) -> String {
    let mut text = String::new();
    for handle in tag.children().top().iter() {
        if let Some(Node::Raw(raw)) = handle.get(parser) {
            text.push_str(&decode_entities(&raw.as_utf8_str()));
        }
    }
    collapse_whitespace(&text)
}

/// Trims and turns every run of whitespace into one space.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Removes tags from an HTML snippet and decodes entities (for labels and flavors).
pub(crate) fn plain_text(snippet: &str) -> String {
    if !snippet.contains('<') {
        return collapse_whitespace(&decode_entities(snippet));
    }
    match parse(snippet) {
        Some(dom) => visible_text(dom.parser(), dom.children(), &|_| Visit::Enter),
        None => collapse_whitespace(&decode_entities(snippet)),
    }
}

/// Decodes the character references that chat HTML uses: named ones for
/// markup characters and spaces, and every numeric one.
pub(crate) fn decode_entities(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .map(|i| i + 1);
        let decoded = match end {
            Some(end) if rest[end..].starts_with(';') => {
                entity(&rest[1..end]).map(|c| (c, end + 1))
            }
            _ => None,
        };
        match decoded {
            Some((character, length)) => {
                out.push(character);
                rest = &rest[length..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn entity(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code).filter(|&c| c != '\0');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "ndash" => '\u{2013}',
        "mdash" => '\u{2014}',
        "hellip" => '\u{2026}',
        "times" => '\u{d7}',
        "minus" => '\u{2212}',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_named_and_numeric_entities() {
        assert_eq!(
            decode_entities("a &amp; b &lt;i&gt; &quot;x&quot; &#39;y&#x27;"),
            "a & b <i> \"x\" 'y'"
        );
        assert_eq!(
            decode_entities("&bogus; & &#0; &#xZZ;"),
            "&bogus; & &#0; &#xZZ;"
        );
        assert_eq!(decode_entities("&"), "&");
    }

    #[test]
    fn plain_text_strips_tags() {
        assert_eq!(
            plain_text("<b>Longsword</b> - Attack&nbsp;Roll"),
            "Longsword - Attack Roll"
        );
        assert_eq!(plain_text("  no  tags  "), "no tags");
    }
}
