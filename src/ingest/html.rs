//! HTML to lines of text, each with the source line it came from.
//!
//! Runs html5ever's WHATWG tokenizer (no tree is built, so nesting depth costs nothing) and
//! writes the text of block elements as lines. Scripts, styles and other non-text elements are
//! dropped; the text of `<nav>`, `<header>`, `<footer>`, `<aside>`, `<form>` and elements whose
//! role or class says navigation, sharing or related links is kept but marked as page chrome.

use std::cell::RefCell;
use std::collections::HashMap;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// One line of text extracted from HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlLine {
    /// The text, whitespace collapsed.
    pub text: String,
    /// 1-based line of the HTML source where the text starts.
    pub source_line: u32,
    /// Inside an element that is page chrome by its markup.
    pub chrome: bool,
}

/// Extracts text lines from an HTML document.
pub fn extract(html: &str) -> Vec<HtmlLine> {
    let sink = Sink::default();
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let mut state = tokenizer.sink.state.into_inner();
    state.finish_line();
    state.lines
}

#[derive(Default)]
struct Sink {
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    lines: Vec<HtmlLine>,
    current: String,
    current_line: u32,
    current_chrome: bool,
    /// Open elements whose text is dropped (script, style, ...).
    dropped: OpenElements,
    /// Open elements whose text is chrome.
    chrome: OpenElements,
    /// Depth of open `<pre>` elements.
    pre: u32,
}

impl State {
    fn finish_line(&mut self) {
        let text = self.current.trim();
        if !text.is_empty() {
            self.lines.push(HtmlLine {
                text: text.to_string(),
                source_line: self.current_line,
                chrome: self.current_chrome,
            });
        }
        self.current.clear();
    }

    fn text(&mut self, text: &str, end_line: u32) {
        if !self.dropped.is_empty() {
            return;
        }
        // The tokenizer reports the line where a run of characters ends; count back to where
        // each piece of it starts.
        let mut line = end_line.saturating_sub(text.matches('\n').count() as u32);
        for (i, piece) in text.split('\n').enumerate() {
            if i > 0 {
                line += 1;
                if self.pre > 0 {
                    self.finish_line();
                } else if !self.current.ends_with(' ') {
                    self.current.push(' ');
                }
            }
            for word in piece.split(|c: char| c.is_whitespace() && c != '\u{a0}') {
                if word.is_empty() {
                    if !self.current.is_empty() && !self.current.ends_with(' ') {
                        self.current.push(' ');
                    }
                    continue;
                }
                if self.current.trim().is_empty() {
                    self.current.clear();
                    self.current_line = line;
                    self.current_chrome = !self.chrome.is_empty();
                } else if !self.chrome.is_empty() {
                    self.current_chrome = true;
                }
                self.current.push_str(word);
                self.current.push(' ');
            }
        }
        // Keep one trailing space only where the source had one.
        if !text.ends_with(char::is_whitespace) && self.current.ends_with(' ') {
            self.current.pop();
        }
    }

    fn tag(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let name = tag.name.as_ref();
        match tag.kind {
            TagKind::StartTag => {
                if is_block(name) {
                    self.finish_line();
                }
                if tag.self_closing || is_void(name) {
                    return TokenSinkResult::Continue;
                }
                if name == "pre" {
                    self.pre += 1;
                }
                if is_dropped(name) {
                    self.dropped.open(name);
                } else if is_chrome_element(tag) {
                    self.chrome.open(name);
                }
                match name {
                    "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                    "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                        TokenSinkResult::RawData(RawKind::Rawtext)
                    }
                    "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
                    "plaintext" => TokenSinkResult::Plaintext,
                    _ => TokenSinkResult::Continue,
                }
            }
            TagKind::EndTag => {
                if is_block(name) {
                    self.finish_line();
                }
                if name == "pre" {
                    self.pre = self.pre.saturating_sub(1);
                }
                self.dropped.close(name);
                self.chrome.close(name);
                TokenSinkResult::Continue
            }
        }
    }
}

/// A stack of open elements, by name, that closes in time linear in what it pops: an end tag
/// for an element that is not open costs nothing, however deep the stack (a page of 100,000
/// unclosed `<nav>`s followed by 100,000 `</div>`s would otherwise be quadratic).
#[derive(Default)]
struct OpenElements {
    stack: Vec<String>,
    open: HashMap<String, usize>,
}

impl OpenElements {
    fn is_empty(&self) -> bool {
        self.stack.is_empty()
    }

    fn open(&mut self, name: &str) {
        self.stack.push(name.to_string());
        *self.open.entry(name.to_string()).or_default() += 1;
    }

    /// Pops the innermost open element of this name (and anything left open inside it).
    fn close(&mut self, name: &str) {
        if self.open.get(name).is_none_or(|&n| n == 0) {
            return;
        }
        while let Some(top) = self.stack.pop() {
            let count = self.open.get_mut(&top).expect("every open name is counted");
            *count -= 1;
            if top == name {
                break;
            }
        }
    }
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<()> {
        let mut state = self.state.borrow_mut();
        let line = u32::try_from(line_number).unwrap_or(u32::MAX);
        match token {
            Token::TagToken(tag) => state.tag(&tag),
            Token::CharacterTokens(text) => {
                state.text(&text, line);
                TokenSinkResult::Continue
            }
            _ => TokenSinkResult::Continue,
        }
    }
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

fn is_dropped(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "math"
            | "head"
            | "iframe"
            | "object"
            | "canvas"
            | "select"
            | "button"
            | "xmp"
            | "noembed"
            | "noframes"
            | "textarea"
    )
}

fn is_chrome_element(tag: &Tag) -> bool {
    if matches!(
        tag.name.as_ref(),
        "nav" | "header" | "footer" | "aside" | "form" | "menu" | "dialog"
    ) {
        return true;
    }
    tag.attrs.iter().any(|attr| {
        let name = attr.name.local.as_ref();
        let value = attr.value.to_ascii_lowercase();
        match name {
            "role" => matches!(
                value.as_str(),
                "navigation" | "banner" | "contentinfo" | "complementary" | "search" | "menu"
            ),
            "class" | "id" => value.split([' ', '-', '_']).any(|word| {
                matches!(
                    word,
                    "nav"
                        | "navbar"
                        | "menu"
                        | "share"
                        | "sharing"
                        | "social"
                        | "related"
                        | "newsletter"
                        | "subscribe"
                        | "advert"
                        | "advertisement"
                        | "ad"
                        | "ads"
                        | "promo"
                        | "sidebar"
                        | "breadcrumb"
                        | "breadcrumbs"
                        | "footer"
                        | "cookie"
                        | "comments"
                        | "recommended"
                )
            }),
            _ => false,
        }
    })
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "br"
            | "dd"
            | "details"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hr"
            | "li"
            | "main"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "td"
            | "th"
            | "tr"
            | "ul"
            | "title"
            | "caption"
            | "menu"
            | "dialog"
            | "body"
            | "html"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(html: &str) -> Vec<(String, u32, bool)> {
        extract(html)
            .into_iter()
            .map(|l| (l.text, l.source_line, l.chrome))
            .collect()
    }

    #[test]
    fn paragraphs_become_lines_with_source_line_numbers() {
        let html = "<html>\n<body>\n<p>First\nparagraph here.</p>\n\n<p>Second &amp; last.</p>\n</body></html>";
        assert_eq!(
            texts(html),
            vec![
                ("First paragraph here.".into(), 3, false),
                ("Second & last.".into(), 6, false),
            ]
        );
    }

    #[test]
    fn scripts_and_styles_are_dropped() {
        let html = "<p>Keep</p><script>var x = '<p>no</p>';</script><style>p{}</style><p>this</p>";
        let lines: Vec<_> = texts(html).into_iter().map(|t| t.0).collect();
        assert_eq!(lines, vec!["Keep", "this"]);
    }

    #[test]
    fn navigation_and_footer_are_marked_as_chrome() {
        let html = "<nav><ul><li>Home</li><li>News</li></ul></nav>\n<article><p>Body text.</p></article>\n<div class=\"share-bar\">Share</div><footer>(c) 2026</footer>";
        assert_eq!(
            texts(html),
            vec![
                ("Home".into(), 1, true),
                ("News".into(), 1, true),
                ("Body text.".into(), 2, false),
                ("Share".into(), 3, true),
                ("(c) 2026".into(), 3, true),
            ]
        );
    }

    #[test]
    fn inline_elements_do_not_break_lines() {
        assert_eq!(
            texts("<p>An <b>important</b> <a href='#'>link</a>, here.</p>")[0].0,
            "An important link, here."
        );
    }

    #[test]
    fn deep_nesting_is_flat_work() {
        let depth = 100_000;
        let html = format!("{}deep{}", "<div>".repeat(depth), "</div>".repeat(depth));
        assert_eq!(texts(&html), vec![("deep".into(), 1, false)]);
    }

    #[test]
    fn end_tags_of_elements_not_open_cost_nothing() {
        // Was quadratic: each </div> searched 100,000 open <nav>s (22 s in a release build).
        let depth = 100_000;
        let html = format!(
            "{}menu{}<p>body</p>",
            "<nav>".repeat(depth),
            "</div>".repeat(depth)
        );
        assert_eq!(
            texts(&html),
            vec![("menu".into(), 1, true), ("body".into(), 1, true)]
        );
        let closed = format!("{}menu{}<p>body</p>", "<nav>".repeat(3), "</nav>".repeat(3));
        assert_eq!(
            texts(&closed),
            vec![("menu".into(), 1, true), ("body".into(), 1, false)]
        );
    }
}
