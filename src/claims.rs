//! Claims stage: text in, the numbers it states out, each as an interval with what it counts.
//!
//! A scanner splits text into words, figures and symbols with byte spans (web addresses are
//! skipped; "22,24,26" and "192.168.1.2" split into their numbers); a grammar, tried at each
//! position and taking the longest match, reads:
//!
//! - figures with separators, decimals, exponents and scale suffixes ("1,020", "12,34,567.89",
//!   "1 234 567", ".08", "1.3e6", "1.3x10^6", "5.93 mln", "10M", "2.33 k", "½");
//! - number words ("forty-five", "one hundred and six", "five and a half million", "two dozen",
//!   "three lakh crore", "two hundred point zero three"), signs ("minus five", "-4/5");
//! - fractions in words, the denominator being the longest ordinal that leaves a whole number
//!   ("three twenty-firsts", "one hundred thirty fifths" = 100/35, "two and fifty-four
//!   hundredths"), shares of scales ("three quarters billion", "one million and a half"), and
//!   ratios ("one in five", "1 over 3", "two out of five hundred");
//! - qualifiers that make a band or a bound, before ("about", "more than", "at least", "up to",
//!   ">=", "equal to") or after ("500 or more", "less than 5000 or equal"), and two bounds of one
//!   quantity ("more than 10 and less than 40");
//! - ranges ("140,000 to 180,000", "between 20 and 30", "300,000-350,000", "20~100") and vague
//!   magnitudes ("hundreds", "tens of thousands") as intervals;
//! - percentages, and money by symbol, code or name, before or after ("$ 4 billion", "USD 200",
//!   "115USD", "30 MUSD", "C$ 100 and fifty", "3 dollars 50 cents").
//!
//! Years, dates, times, ordinals, phone numbers and codes ("+1-222-2222-2222") are typed as
//! such, not as quantities. The grammar follows the cases of Microsoft's Recognizers-Text
//! English number specifications, against which `examples/conformance.rs` measures it (cases it
//! does not aim to pass are listed, with reasons, in `examples/conformance-exclusions.toml`).

use serde::Serialize;

/// What a number in the text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    /// A count or measure.
    Quantity,
    /// A percentage.
    Percent,
    /// An amount of money.
    Money,
    /// A year ("in 2024").
    Year,
    /// A calendar date ("Dec. 31", "January 3, 2025").
    Date,
    /// A time of day ("9:57 AM").
    Time,
    /// An ordinal ("third", "10th").
    Ordinal,
    /// A phone number or a code of figures joined by dashes or slashes ("+1-222-2222-2222").
    Code,
    /// An age ("aged 45", "a 45-year-old", "45 years old").
    Age,
}

/// A number stated in the text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Claim {
    /// Byte range in the text.
    pub span: (usize, usize),
    /// The words that state it.
    pub text: String,
    /// What it is.
    pub kind: ClaimKind,
    /// Byte range of the amount itself, without its qualifier ("$14 million" in "about $14
    /// million").
    pub amount_span: (usize, usize),
    /// The number as stated, before a qualifier made a band or bound of it; the lower bound
    /// for a range.
    pub stated: f64,
    /// Least value it allows.
    pub low: f64,
    /// Greatest value it allows (infinite for "more than").
    pub high: f64,
    /// The qualifier, if any ("about", "more than", ...).
    pub qualifier: Option<String>,
    /// The currency or the counted noun ("troops", "residents", "RUB"), if any.
    pub unit: Option<String>,
}

impl Claim {
    /// The single value, when the claim states one exactly.
    pub fn value(&self) -> Option<f64> {
        (self.low == self.high).then_some(self.low)
    }

    /// The claim as a reader would put it: "700000", "> 1000000", "≈ 700", "140000 .. 180000".
    pub fn describe(&self) -> String {
        if let Some(v) = self.value() {
            return format!("{v}");
        }
        let lower_open = self.low > self.stated;
        match (
            self.qualifier.is_some(),
            self.high.is_infinite(),
            self.low == 0.0,
        ) {
            (true, true, _) if lower_open => format!("> {}", self.stated),
            (true, true, _) => format!(">= {}", self.stated),
            (true, false, true) if self.high < self.stated => format!("< {}", self.stated),
            (true, false, true) => format!("<= {}", self.stated),
            (true, false, false) if self.low < self.stated && self.high > self.stated => {
                format!("~ {}", self.stated)
            }
            _ => {
                // A half-open end ("hundreds": up to 1000, not 1000) reads as "..<".
                let round = (self.high * (1.0 + 2e-9)).round();
                if self.high < round && round - self.high < 1e-3 * round.max(1.0) {
                    format!("{} ..< {round}", self.low)
                } else {
                    format!("{} .. {}", self.low, self.high)
                }
            }
        }
    }

    /// Whether two claims can both be true. Claims qualified the same way ("about 10.5 mln"
    /// and "about 9.3 mln", "at least 60" and "at least 92") state the same kind of figure and
    /// agree only if their figures do; otherwise their intervals must overlap ("about 10
    /// thousand" and "9.6 thousand" do).
    pub fn compatible(&self, other: &Claim) -> bool {
        let same = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
        // A plain range ("6.5 to 9.5") states two figures; so does a qualified one.
        let range = |c: &Claim| c.qualifier.is_none() && c.low < c.high;
        let same_shape = qualifier_kind(&self.qualifier) == qualifier_kind(&other.qualifier)
            && range(self) == range(other);
        if same_shape && (self.qualifier.is_some() || range(self)) {
            let top = |c: &Claim| {
                if c.high.is_finite() {
                    c.high - c.stated
                } else {
                    0.0
                }
            };
            return same(self.stated, other.stated) && same(top(self), top(other));
        }
        // A figure stands for what rounds to it: "12.1 mln" agrees with "12,141,000".
        let (ra, rb) = (self.rounding(), other.rounding());
        self.low - ra <= other.high + rb && other.low - rb <= self.high + ra
    }

    /// The claim with its sign dropped: "minus 0.10 pct" as 0.10 pct.
    pub fn magnitude(&self) -> Claim {
        if self.high > 0.0 || self.stated >= 0.0 {
            return self.clone();
        }
        Claim {
            stated: -self.stated,
            low: -self.high,
            high: -self.low,
            ..self.clone()
        }
    }

    /// Half a unit of the last digit the claim states, times its scale: what rounding to that
    /// digit may have hidden. "12.1 mln" -> 50,000; "600" -> 0.5; "2.5 billion" -> 50 million.
    pub fn rounding(&self) -> f64 {
        let text = self.text.to_lowercase();
        let Some(start) = text.find(|c: char| c.is_ascii_digit()) else {
            return 0.5 * self.stated.abs().max(1.0) * 1e-9;
        };
        let figure: String = text[start..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
            .collect();
        let decimals = figure.split_once('.').map_or(0, |(_, d)| {
            d.trim_end_matches(|c: char| !c.is_ascii_digit()).len()
        });
        let plain: f64 = figure
            .replace(',', "")
            .trim_end_matches('.')
            .parse()
            .unwrap_or(0.0);
        let scale = if plain > 0.0 && self.stated.abs() > plain * 1.5 {
            (self.stated / plain).abs()
        } else {
            1.0
        };
        0.5 * 10f64.powi(-(decimals as i32)) * scale
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum TokenKind {
    Word,
    Figure,
    Symbol,
}

#[derive(Debug, Clone)]
struct Token<'a> {
    start: usize,
    end: usize,
    text: &'a str,
    kind: TokenKind,
    /// Lower-case text (borrowed when the text is already lower-case ASCII, as most is).
    lower: std::borrow::Cow<'a, str>,
    /// Whitespace before the token.
    spaced: bool,
    /// The whitespace before it is one space, no-break space or narrow no-break space: how
    /// "1 234 567" and "40 000" group their digits.
    thin: bool,
}

/// Vulgar fraction characters and their values.
fn vulgar(c: char) -> Option<f64> {
    Some(match c {
        '½' => 0.5,
        '⅓' => 1.0 / 3.0,
        '⅔' => 2.0 / 3.0,
        '¼' => 0.25,
        '¾' => 0.75,
        '⅕' => 0.2,
        '⅖' => 0.4,
        '⅗' => 0.6,
        '⅘' => 0.8,
        '⅙' => 1.0 / 6.0,
        '⅚' => 5.0 / 6.0,
        '⅛' => 0.125,
        '⅜' => 0.375,
        '⅝' => 0.625,
        '⅞' => 0.875,
        _ => return None,
    })
}

/// `text` in lower case whole when it is ASCII (borrowed when it has no capitals), for
/// [`scan`] to slice each token's lower case from: lower-casing ASCII keeps every byte in its
/// place, and one copy for the sentence costs less than one for each capitalized word.
fn ascii_lowered(text: &str) -> Option<std::borrow::Cow<'_, str>> {
    text.is_ascii().then(|| {
        if text.bytes().any(|b| b.is_ascii_uppercase()) {
            text.to_ascii_lowercase().into()
        } else {
            text.into()
        }
    })
}

/// The tokens of `text`; `lowered` is [`ascii_lowered`]'s `text`.
fn scan<'a>(text: &'a str, lowered: Option<&'a str>) -> Vec<Token<'a>> {
    // Sized for the text at once: grown by doubling, these two were a good part of the
    // allocations of the cross-check's figures, which scan millions of sentences.
    let mut tokens = Vec::with_capacity(text.len() / 4 + 1);
    let chars = Chars::new(text);
    let at = |j: usize| chars.get(j).map(|x| x.1);
    let digit = |j: usize| at(j).is_some_and(|c| c.is_ascii_digit());
    let urls = urls(text);
    let mut k = 0;
    let mut gap = 0;
    let mut thin = false;
    while k < chars.len() {
        let (start, c) = chars.nth(k);
        // A web address states no numbers ("q=30%25").
        if let Some(&(_, url_end)) = urls.iter().find(|(from, to)| (*from..*to).contains(&start)) {
            while k < chars.len() && chars.nth(k).0 < url_end {
                k += 1;
            }
            gap = 1;
            thin = false;
            continue;
        }
        if crate::text::is_invisible(c) {
            k += 1; // a zero-width space or direction mark: neither a token nor a gap
            continue;
        }
        if c.is_whitespace() {
            thin = gap == 0 && matches!(c, ' ' | '\u{a0}' | '\u{202f}');
            gap += 1;
            k += 1;
            continue;
        }
        let spaced = gap > 0 || k == 0;
        let thin_gap = gap == 1 && thin;
        gap = 0;
        let mut j = k + 1;
        // ".08": a leading decimal point, not after a digit.
        let leading_point =
            c == '.' && digit(k + 1) && (k == 0 || !at(k - 1).is_some_and(|p| p.is_alphanumeric()));
        let kind = if c.is_ascii_digit() || leading_point {
            // Digits, with separators and decimal points between digits, an exponent, and
            // letters glued on.
            while j < chars.len() {
                let d = chars.nth(j).1;
                if d.is_ascii_digit() || ((d == ',' || d == '.') && digit(j + 1)) {
                    j += 1;
                } else {
                    break;
                }
            }
            // "1.3e6", "12.32e+14", "-12e-1"
            if matches!(at(j), Some('e' | 'E')) {
                let sign = usize::from(matches!(at(j + 1), Some('+' | '-')));
                if digit(j + 1 + sign) && !at(j + 2 + sign).is_some_and(char::is_alphabetic) {
                    j += 1 + sign;
                    while digit(j) {
                        j += 1;
                    }
                }
            }
            while j < chars.len() && chars.nth(j).1.is_ascii_alphabetic() {
                j += 1;
            }
            TokenKind::Figure
        } else if vulgar(c).is_some() {
            TokenKind::Figure
        } else if c.is_alphabetic() {
            while j < chars.len() && {
                let d = chars.nth(j).1;
                d.is_alphabetic() || d == '\'' || crate::text::is_invisible(d)
            } {
                j += 1;
            }
            TokenKind::Word
        } else {
            TokenKind::Symbol
        };
        let end = chars.get(j).map_or(text.len(), |x| x.0);
        let slice = &text[start..end];
        let token = Token {
            start,
            end,
            text: slice,
            kind,
            lower: lowered.map_or_else(|| lower_case(slice), |l| l[start..end].into()),
            spaced,
            thin: thin_gap,
        };
        if kind == TokenKind::Figure && !valid_grouping(slice) {
            // "22,24,26,31" is a list and "192.168.1.2" an address: their numbers one by one.
            split_figures(&token, &mut tokens);
        } else {
            tokens.push(token);
        }
        k = j;
    }
    tokens
}

/// The characters of a text by number, with the byte each starts at: ASCII text, where the
/// two numbers are one, is read in place. A table made for every sentence scanned was a fifth
/// of [`scan`]'s instructions.
enum Chars<'a> {
    Ascii(&'a [u8]),
    Any(Vec<(usize, char)>),
}

impl<'a> Chars<'a> {
    fn new(text: &'a str) -> Self {
        if text.is_ascii() {
            Chars::Ascii(text.as_bytes())
        } else {
            Chars::Any(text.char_indices().collect())
        }
    }

    fn len(&self) -> usize {
        match self {
            Chars::Ascii(bytes) => bytes.len(),
            Chars::Any(chars) => chars.len(),
        }
    }

    /// Character `j` and where it starts, if the text has that many.
    fn get(&self, j: usize) -> Option<(usize, char)> {
        match self {
            Chars::Ascii(bytes) => bytes.get(j).map(|&b| (j, b as char)),
            Chars::Any(chars) => chars.get(j).copied(),
        }
    }

    /// Character `j` (`j < self.len()`) and where it starts.
    fn nth(&self, j: usize) -> (usize, char) {
        match self {
            Chars::Ascii(bytes) => (j, bytes[j] as char),
            Chars::Any(chars) => chars[j],
        }
    }
}

/// `text` in lower case, without invisible characters; borrowed when it already is.
fn lower_case(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.is_ascii() {
        crate::text::visible(text).to_lowercase().into()
    } else if text.bytes().any(|b| b.is_ascii_uppercase()) {
        // ASCII has no invisible characters, and its lower case is ASCII's own.
        text.to_ascii_lowercase().into()
    } else {
        text.into()
    }
}

/// Byte ranges of web addresses: from "http://", "https://" or "www." to the next space.
fn urls(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for prefix in ["http://", "https://", "www."] {
        for (at, _) in text.match_indices(prefix) {
            let boundary = text[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric() && c != '/');
            if boundary {
                let end = text[at..]
                    .find(char::is_whitespace)
                    .map_or(text.len(), |e| at + e);
                out.push((at, end));
            }
        }
    }
    out
}

/// Whether separators in a figure make sense: "1,234.5", "12,34,567.89", "1,3", not
/// "22,24,26" or "192.168.1.2".
fn valid_grouping(figure: &str) -> bool {
    let digits_end = figure
        .find(|c: char| c.is_alphabetic())
        .unwrap_or(figure.len());
    let digits = &figure[..digits_end];
    digits.matches('.').count() <= 1 && (!digits.contains(',') || parse_digits(digits).is_some())
}

/// Splits a figure at its separators into figures and symbols.
fn split_figures<'a>(token: &Token<'a>, out: &mut Vec<Token<'a>>) {
    let mut piece_start = 0;
    let text = token.text;
    let push = |from: usize, to: usize, kind: TokenKind, spaced: bool, out: &mut Vec<Token<'a>>| {
        if from < to {
            out.push(Token {
                start: token.start + from,
                end: token.start + to,
                text: &text[from..to],
                kind,
                lower: lower_case(&text[from..to]),
                spaced,
                thin: spaced && token.thin,
            });
        }
    };
    for (i, c) in text.char_indices() {
        if c == ',' || c == '.' {
            push(
                piece_start,
                i,
                TokenKind::Figure,
                piece_start == 0 && token.spaced,
                out,
            );
            push(i, i + 1, TokenKind::Symbol, false, out);
            piece_start = i + 1;
        }
    }
    push(
        piece_start,
        text.len(),
        TokenKind::Figure,
        piece_start == 0 && token.spaced,
        out,
    );
}

fn unit_word(word: &str) -> Option<f64> {
    Some(match word {
        "zero" | "nought" | "naught" | "nil" => 0.0,
        "one" => 1.0,
        "two" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "thirteen" => 13.0,
        "fourteen" => 14.0,
        "fifteen" => 15.0,
        "sixteen" => 16.0,
        "seventeen" => 17.0,
        "eighteen" => 18.0,
        "nineteen" => 19.0,
        _ => return None,
    })
}

fn tens_word(word: &str) -> Option<f64> {
    Some(match word {
        "twenty" => 20.0,
        "thirty" => 30.0,
        "forty" | "fourty" => 40.0,
        "fifty" => 50.0,
        "sixty" => 60.0,
        "seventy" => 70.0,
        "eighty" => 80.0,
        "ninety" => 90.0,
        _ => return None,
    })
}

fn scale_word(word: &str) -> Option<f64> {
    Some(match word {
        "hundred" | "hundreds" => 1e2,
        "thousand" => 1e3,
        "lakh" | "lakhs" => 1e5,
        "million" | "mln" | "mn" | "mil" => 1e6,
        "crore" | "crores" => 1e7,
        "billion" | "bln" | "bn" => 1e9,
        "trillion" | "tln" => 1e12,
        _ => return None,
    })
}

/// Where an ordinal word's value goes on the number before it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Place {
    /// "first" to "nineteenth": after tens or hundreds ("twenty-first", "one hundred fifth").
    Unit,
    /// "twentieth" to "ninetieth": after hundreds.
    Tens,
    /// "hundredth", "thousandth", ...: multiplies.
    Scale,
    /// "half", "quarter": only alone.
    Alone,
}

/// An ordinal word used as a denominator, singular or plural: "fifth" -> 5, "thirtieths" -> 30.
/// The bool is whether it is plural.
fn ordinal_word(word: &str) -> Option<(f64, Place, bool)> {
    if word == "halves" {
        return Some((2.0, Place::Alone, true));
    }
    let (stem, plural) = match word.strip_suffix('s') {
        Some(stem) => (stem, true),
        None => (word, false),
    };
    let (value, place) = match stem {
        "half" => (2.0, Place::Alone),
        "quarter" => (4.0, Place::Alone),
        "first" => (1.0, Place::Unit),
        "second" => (2.0, Place::Unit),
        "third" => (3.0, Place::Unit),
        "fourth" => (4.0, Place::Unit),
        "fifth" => (5.0, Place::Unit),
        "sixth" => (6.0, Place::Unit),
        "seventh" => (7.0, Place::Unit),
        "eighth" => (8.0, Place::Unit),
        "ninth" => (9.0, Place::Unit),
        "tenth" => (10.0, Place::Unit),
        "eleventh" => (11.0, Place::Unit),
        "twelfth" => (12.0, Place::Unit),
        "thirteenth" => (13.0, Place::Unit),
        "fourteenth" => (14.0, Place::Unit),
        "fifteenth" => (15.0, Place::Unit),
        "sixteenth" => (16.0, Place::Unit),
        "seventeenth" => (17.0, Place::Unit),
        "eighteenth" => (18.0, Place::Unit),
        "nineteenth" => (19.0, Place::Unit),
        "twentieth" => (20.0, Place::Tens),
        "thirtieth" => (30.0, Place::Tens),
        "fortieth" => (40.0, Place::Tens),
        "fiftieth" => (50.0, Place::Tens),
        "sixtieth" => (60.0, Place::Tens),
        "seventieth" => (70.0, Place::Tens),
        "eightieth" => (80.0, Place::Tens),
        "ninetieth" => (90.0, Place::Tens),
        "hundredth" => (1e2, Place::Scale),
        "thousandth" => (1e3, Place::Scale),
        "millionth" => (1e6, Place::Scale),
        "billionth" => (1e9, Place::Scale),
        "trillionth" => (1e12, Place::Scale),
        _ => return None,
    };
    Some((value, place, plural))
}

/// A figure token: "1,020", "2.5", "10M", "1.2b", "2mil", "1.3e6", "1MM", "½". Digits glued to
/// other letters ("29km", "5mm") are no number.
fn figure_value(text: &str) -> Option<f64> {
    let mut chars = text.chars();
    if let (Some(c), None) = (chars.next(), chars.next())
        && let Some(v) = vulgar(c)
    {
        return Some(v);
    }
    let lower = text.to_lowercase();
    let digits_end = lower
        .find(|c: char| c.is_alphabetic())
        .unwrap_or(lower.len());
    let (digits, suffix) = lower.split_at(digits_end);
    if let Some(exponent) = suffix.strip_prefix('e')
        && let Ok(exponent) = exponent.parse::<i32>()
    {
        return parse_digits(digits)
            .map(|v| v * 10f64.powi(exponent))
            .filter(|v| v.is_finite());
    }
    let scale = match suffix {
        "" => 1.0,
        "k" => 1e3,
        "m" | "mil" | "mln" | "mn" => 1e6,
        // "MM", a thousand thousand in finance; "mm" is millimetres.
        "mm" if text.ends_with("MM") => 1e6,
        "b" | "bn" | "bln" | "g" => 1e9,
        "t" | "tn" => 1e12,
        _ => return None,
    };
    parse_digits(digits).map(|v| v * scale)
}

/// "1,674,200.5" -> 1674200.5; "12,34,567.89" -> 1234567.89 (Indian grouping); "1,3" -> 1.3
/// (a decimal comma, when the groups are not of three); ".08" -> 0.08.
fn parse_digits(digits: &str) -> Option<f64> {
    if digits.contains(',') {
        let (integer, _) = digits.split_once('.').unwrap_or((digits, ""));
        let groups: Vec<&str> = integer.split(',').collect();
        let last = groups.len() - 1;
        let grouped = groups[1..].iter().all(|g| g.len() == 3) && groups[0].len() <= 3;
        let indian = groups.len() >= 3
            && groups[last].len() == 3
            && groups[1..last].iter().all(|g| g.len() == 2)
            && (1..=2).contains(&groups[0].len());
        if grouped || indian {
            return digits.replace(',', "").parse().ok();
        }
        if groups.len() == 2 && !digits.contains('.') {
            return format!("{}.{}", groups[0], groups[1]).parse().ok();
        }
        return None;
    }
    if digits.starts_with('.') {
        return format!("0{digits}").parse().ok();
    }
    digits.parse().ok()
}

/// A number read from tokens: its value and the index after its last token.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Number {
    value: f64,
    end: usize,
    /// The number ends in a scale word or suffix ("2.5 million"): a range's first bound may
    /// share it ("140 to 180 million").
    scaled: bool,
}

/// Words that make "one" a pronoun: "the one you mentioned", "which one".
const ONE_PRONOUN: &[&str] = &[
    "the", "this", "that", "which", "each", "every", "any", "no", "another", "no", "someone",
];

/// Time words: "$2000 over 3 years" is no ratio.
const TIME_WORDS: &[&str] = &[
    "seconds",
    "minutes",
    "hours",
    "days",
    "weeks",
    "months",
    "years",
    "decades",
    "centuries",
    "second",
    "minute",
    "hour",
    "day",
    "week",
    "month",
    "year",
    "decade",
    "century",
];

/// Reads a number starting at token `i`: a sign ("minus", "negative", "-"), then a cardinal
/// (figures and number words), a fraction in words ("three twenty-firsts"), a ratio ("one in
/// five", "1 over 3", "two out of five hundred") or a power ("1.1^23", "1.3x10^6").
fn number(tokens: &[Token], i: usize) -> Option<Number> {
    // "a trillion trillion trillion ..." and "9e300 ^ 9" overflow: no number a claim can hold.
    signed(tokens, i).filter(|n| n.value.is_finite())
}

fn signed(tokens: &[Token], i: usize) -> Option<Number> {
    let t = tokens.get(i)?;
    let negative = match (t.kind, t.lower.as_ref()) {
        (TokenKind::Word, "minus" | "negative") => true,
        (TokenKind::Symbol, "-" | "−") => {
            // Not "20 - 30", "fifty - two" or "SCP-173"; "- 1 4/5" only at the start.
            let after_number = i > 0
                && (is_number_token(&tokens[i - 1])
                    || !t.spaced && tokens[i - 1].kind == TokenKind::Word);
            let next = tokens.get(i + 1);
            !after_number
                && next.is_some_and(|n| n.kind == TokenKind::Figure && (!n.spaced || i == 0))
        }
        _ => false,
    };
    if negative {
        let n = unsigned(tokens, i + 1)?;
        return Some(Number {
            value: -n.value,
            ..n
        });
    }
    unsigned(tokens, i)
}

fn is_number_token(t: &Token) -> bool {
    t.kind == TokenKind::Figure
        || t.kind == TokenKind::Word
            && (unit_word(&t.lower).is_some()
                || tens_word(&t.lower).is_some()
                || scale_word(&t.lower).is_some())
}

fn unsigned(tokens: &[Token], i: usize) -> Option<Number> {
    let word = |k: usize| {
        tokens
            .get(k)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.lower.as_ref())
    };
    // "The one you mentioned", "which one": a pronoun.
    if word(i) == Some("one")
        && i > 0
        && word(i - 1).is_some_and(|w| ONE_PRONOUN.contains(&w))
        && !word(i + 1).is_some_and(|w| scale_word(w).is_some() || ordinal_word(w).is_some())
    {
        return None;
    }
    let symbol = |k: usize, s: &str| {
        tokens
            .get(k)
            .is_some_and(|t| t.kind == TokenKind::Symbol && t.text == s)
    };
    // A power: "1.1^23", "2.5^-1", "1.1^--23".
    let power_at = |k: usize| -> Option<(f64, usize)> {
        if !symbol(k, "^") {
            return None;
        }
        let mut m = k + 1;
        let mut sign = 1.0;
        while symbol(m, "-") || symbol(m, "+") {
            if symbol(m, "-") {
                sign = -sign;
            }
            m += 1;
        }
        let e = tokens.get(m).filter(|t| t.kind == TokenKind::Figure)?;
        Some((sign * figure_value(e.text)?, m + 1))
    };
    // "1.3x10^6": the mantissa's token ends in "x", then 10, then the power.
    let first = tokens.get(i)?;
    if first.kind == TokenKind::Figure
        && first.lower.ends_with('x')
        && let Some(mantissa) = figure_value(&first.text[..first.text.len() - 1])
        && tokens
            .get(i + 1)
            .is_some_and(|t| t.text == "10" && !t.spaced)
        && let Some((e, end)) = power_at(i + 2)
        && (mantissa * 10f64.powf(e)).is_finite()
    {
        return Some(Number {
            value: mantissa * 10f64.powf(e),
            end,
            scaled: false,
        });
    }
    let mut n = match (cardinal(tokens, i), word_fraction(tokens, i)) {
        (Some(c), Some(f)) if f.end > c.end => f,
        (None, Some(f)) => f,
        (c, _) => c?,
    };
    // "three quarters billion", "two thirds of a million": a fraction of a scale.
    if n.value < 1.0 && n.value > 0.0 && !n.scaled && tokens[i].kind == TokenKind::Word {
        let mut k = n.end;
        if word(k) == Some("of") && matches!(word(k + 1), Some("a" | "an")) {
            k += 2;
        }
        if let Some(scale) = word(k).and_then(scale_word).filter(|s| *s >= 1e3) {
            n = Number {
                value: n.value * scale,
                end: k + 1,
                scaled: true,
            };
        }
    }
    if tokens[n.end - 1].kind == TokenKind::Figure
        && let Some((e, end)) = power_at(n.end)
        && n.value.powf(e).is_finite()
    {
        return Some(Number {
            value: n.value.powf(e),
            end,
            scaled: false,
        });
    }
    // A ratio: "one over three", "1 in twenty-one", "two out of five hundred".
    let (ratio_word, skip) = match word(n.end) {
        Some("over") => (true, 1),
        Some("in") => (true, 1),
        Some("out") if word(n.end + 1) == Some("of") => (true, 2),
        _ => (false, 0),
    };
    if ratio_word
        && n.value > 0.0
        && let Some(d) = cardinal(tokens, n.end + skip)
        && d.value > 0.0
        && !word(d.end).is_some_and(|w| TIME_WORDS.contains(&w))
        && (word(n.end) == Some("over") || d.value >= n.value)
        && !is_year(&tokens[n.end + skip])
    {
        return Some(Number {
            value: n.value / d.value,
            end: d.end,
            scaled: false,
        });
    }
    Some(n)
}

/// Where a code that reached `end` stops: it goes on through dashes, slashes and glued
/// letters or digits ("A-300-600", "CF6-80C2").
fn code_end(tokens: &[Token], mut end: usize) -> usize {
    let glued = |m: usize| {
        tokens
            .get(m)
            .is_some_and(|t| !t.spaced && t.kind != TokenKind::Symbol)
    };
    loop {
        let joint = tokens
            .get(end)
            .is_some_and(|t| matches!(t.text, "-" | "/") && !t.spaced);
        if joint && glued(end + 1) {
            end += 2;
        } else if glued(end) {
            end += 1;
        } else {
            return end;
        }
    }
}

/// A four-digit figure between 1900 and 2100.
fn is_year(t: &Token) -> bool {
    t.kind == TokenKind::Figure
        && t.text.len() == 4
        && t.text.bytes().all(|b| b.is_ascii_digit())
        && (1900..=2100).contains(&t.text.parse::<u32>().unwrap_or(0))
}

/// A fraction in words: "a fifth", "three twenty-firsts", "one hundred thirty fifths" (100/35),
/// "ninety-five hundred fifths" (9500/5). The denominator is the longest ordinal at the end that
/// leaves a whole number before it; a singular ordinal takes only "a" or "one" ("the fifth" and
/// "two millionth" are no fractions), and figures are never numerators ("100 millionths").
fn word_fraction(tokens: &[Token], i: usize) -> Option<Number> {
    let word = |k: usize| {
        tokens
            .get(k)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.lower.as_ref())
    };
    let hyphen = |k: usize| {
        tokens
            .get(k)
            .is_some_and(|t| t.kind == TokenKind::Symbol && t.text == "-")
    };
    // The run of number words up to the first ordinal.
    let mut k = i;
    let ordinal = loop {
        let w = word(k)?;
        if let Some(o) = ordinal_word(w) {
            break o;
        }
        let number_word = unit_word(w).is_some()
            || tens_word(w).is_some()
            || scale_word(w).is_some()
            || matches!(w, "a" | "an" | "and");
        if !number_word || (k > i && matches!(w, "a" | "an") && word(k - 1) != Some("and")) {
            return None;
        }
        k += 1;
        if hyphen(k) {
            k += 1;
        }
    };
    let o = k;
    if o == i {
        return None;
    }
    let (value, place, plural) = ordinal;
    // The whole number in tokens[from..to], allowing a trailing hyphen, and a trailing "and"
    // where `and_ok` ("one one hundred and fifth"; but "one hundred and thirty fifths" is 130/5).
    let whole = |from: usize, to: usize, and_ok: bool| -> Option<f64> {
        let n = cardinal(&tokens[..to], from)?;
        let rest_ok = (n.end..to).all(|m| hyphen(m) || and_ok && word(m) == Some("and"));
        rest_ok.then_some(n.value)
    };
    for s in i + 1..=o {
        if hyphen(s) || word(s) == Some("and") {
            continue;
        }
        // "ninety - five" stays one number.
        if hyphen(s - 1)
            && s >= 2
            && word(s - 2).and_then(tens_word).is_some()
            && word(s)
                .and_then(unit_word)
                .is_some_and(|u| (1.0..10.0).contains(&u))
        {
            continue;
        }
        let numerator = if s == i + 1 && matches!(word(i), Some("a" | "an")) {
            1.0
        } else {
            match whole(i, s, false) {
                Some(v) => v,
                None => continue,
            }
        };
        let denominator = if s == o {
            if place == Place::Unit && value < 3.0 {
                continue; // "one first", "two seconds"
            }
            value
        } else {
            if word(s).is_none_or(|w| unit_word(w).is_none() && tens_word(w).is_none()) {
                continue;
            }
            let Some(prefix) = whole(s, o, true) else {
                continue;
            };
            match place {
                Place::Unit if prefix % 10.0 == 0.0 && (value < 10.0 || prefix % 100.0 == 0.0) => {
                    prefix + value
                }
                Place::Tens if prefix % 100.0 == 0.0 => prefix + value,
                Place::Scale => prefix * value,
                _ => continue,
            }
        };
        if !plural && numerator != 1.0 {
            return None;
        }
        return Some(Number {
            value: numerator / denominator,
            end: o + 1,
            scaled: false,
        });
    }
    None
}

/// Reads a cardinal number starting at token `i`: figures and number words with scales, "and",
/// "a" and "half", a decimal "point", and a fraction after "and".
fn cardinal(tokens: &[Token], i: usize) -> Option<Number> {
    let word = |k: usize| {
        tokens
            .get(k)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.lower.as_ref())
    };
    let is_figure = |k: usize| tokens.get(k).is_some_and(|t| t.kind == TokenKind::Figure);
    let symbol = |k: usize, s: &str| {
        tokens
            .get(k)
            .is_some_and(|t| t.kind == TokenKind::Symbol && t.text == s)
    };

    let mut total = 0.0;
    let mut current: Option<f64> = None;
    let mut k = i;
    let mut scaled = false;
    let mut used = false;
    let mut last_scale = 1.0;
    // "a hundred", "a dozen", "a half", "half a million": "a" counts as one only before these.
    loop {
        if let Some(w) = word(k) {
            if w == "a" || w == "an" {
                let next = word(k + 1);
                if !used
                    && next.is_some_and(|n| {
                        scale_word(n).is_some() && n != "hundreds" || n == "dozen" || n == "quarter"
                    })
                {
                    current = Some(current.unwrap_or(0.0) + 1.0);
                    k += 1;
                    used = true;
                    continue;
                }
                break;
            }
            if let Some(v) = unit_word(w) {
                // After "two hundred" or "twenty" a unit word goes on the number; after "three"
                // it starts another ("three four" are two numbers).
                // A bare figure takes no unit word: "1,000 five-inch shells".
                let after_figure = k > i && tokens[k - 1].kind == TokenKind::Figure;
                let fits = !after_figure
                    && current.is_none_or(|c| {
                        let c = c % 100.0;
                        c == 0.0 || (20.0..100.0).contains(&c) && c % 10.0 == 0.0 && v < 10.0
                    });
                if !fits {
                    break;
                }
                current = Some(current.unwrap_or(0.0) + v);
                k += 1;
                used = true;
                continue;
            }
            if let Some(v) = tens_word(w) {
                if current.is_some_and(|c| c % 100.0 != 0.0) {
                    break;
                }
                current = Some(current.unwrap_or(0.0) + v);
                k += 1;
                used = true;
                // "forty-five", "fifty - two"
                if symbol(k, "-")
                    && word(k + 1)
                        .and_then(unit_word)
                        .is_some_and(|u| (1.0..10.0).contains(&u))
                    && word(k + 2).is_none_or(|n| ordinal_word(n).is_none())
                {
                    current = Some(
                        current.unwrap_or(0.0)
                            + unit_word(word(k + 1).unwrap_or("")).unwrap_or(0.0),
                    );
                    k += 2;
                }
                continue;
            }
            if matches!(w, "dozen" | "dozens" | "dz" | "dzs" | "doz" | "dozs") {
                if !used && w == "dozens" {
                    break;
                }
                current = Some(current.unwrap_or(1.0) * 12.0);
                k += 1;
                used = true;
                continue;
            }
            if let Some(scale) = scale_word(w) {
                let c = current.unwrap_or(if used { 0.0 } else { 1.0 });
                if !(used || w == "hundred" || w == "thousand") || (w == "hundreds" && !used) {
                    break; // a bare "million" is no number, "hundreds" a magnitude
                }
                if scale == 100.0 {
                    current = Some(if c == 0.0 { 100.0 } else { c * 100.0 });
                } else if current.is_none() && total > 0.0 && scale > last_scale {
                    // "three lakh crore": a scale on a scale.
                    total *= scale;
                } else {
                    total += c * scale;
                    current = None;
                }
                last_scale = scale;
                k += 1;
                used = true;
                scaled = true;
                continue;
            }
            if matches!(w, "half" | "quarter") && !used {
                // "half million", "half a million", "half a dozen", "quarter million"
                let share = if w == "half" { 0.5 } else { 0.25 };
                let mut n = k + 1;
                if word(n) == Some("a") {
                    n += 1;
                }
                if let Some(scale) = word(n).and_then(|x| match x {
                    "dozen" => Some(12.0),
                    x => scale_word(x).filter(|_| x != "hundreds"),
                }) {
                    return Some(Number {
                        value: share * scale,
                        end: n + 1,
                        scaled: true,
                    });
                }
                // "more than half", "half the residents": half alone is a half.
                if w == "half"
                    && !(k > i
                        || k > 0
                            && matches!(
                                word(k - 1),
                                Some("the" | "a" | "first" | "second" | "other" | "one")
                            ))
                {
                    return Some(Number {
                        value: 0.5,
                        end: k + 1,
                        scaled: false,
                    });
                }
                break;
            }
            if w == "and" && used {
                // "one hundred and six", "one and a half", "three and one fourth",
                // "two and fifty-four hundredths", "one million and a half"
                let rest = fraction(tokens, k + 1)
                    .or_else(|| word_fraction(tokens, k + 1).filter(|f| f.value < 1.0));
                if let Some(rest) = rest {
                    let end = rest.end;
                    // "one billion and a half million", "five and a half million"
                    if let Some(scale) = word(end).and_then(scale_word) {
                        if current.is_none() && total > 0.0 {
                            return Some(Number {
                                value: total + rest.value * scale,
                                end: end + 1,
                                scaled: true,
                            });
                        }
                        return Some(Number {
                            value: (total + current.unwrap_or(0.0) + rest.value) * scale,
                            end: end + 1,
                            scaled: true,
                        });
                    }
                    // "five billion and three quarters": a share of the last scale.
                    let value = if current.is_none() && last_scale >= 1e3 {
                        total + rest.value * last_scale
                    } else {
                        total + current.unwrap_or(0.0) + rest.value
                    };
                    return Some(Number { value, end, scaled });
                }
                // Words go on words, not on a bare figure: "100 and fifty" are two numbers.
                let words_follow = word(k + 1)
                    .is_some_and(|n| unit_word(n).is_some() || tens_word(n).is_some())
                    && tokens[k - 1].kind == TokenKind::Word;
                // "4 thousand 3 hundred and 21"; but "20 and 30", "3 hundred and 2 hundred",
                // "3 hundred and 0" and "$5 million and 300 jobs" are two numbers.
                let figure_follows = is_figure(k + 1)
                    && scaled
                    && figure_value(tokens[k + 1].text).is_some_and(|v| v > 0.0 && v < 100.0)
                    && word(k + 2).is_none_or(|n| scale_word(n).is_none());
                let next_scale = (k + 1..k + 4)
                    .find_map(|m| word(m).and_then(scale_word))
                    .unwrap_or(0.0);
                if (words_follow && !(scaled && next_scale >= last_scale && current.is_none()))
                    || figure_follows
                {
                    k += 1;
                    continue;
                }
                break;
            }
            if w == "point" && used {
                // "two hundred point zero three", "five point five", "nought point eleven"
                let mut digits = String::new();
                let mut m = k + 1;
                while let Some(d) = word(m).and_then(unit_word).filter(|d| *d < 10.0) {
                    digits.push_str(&(d as u8).to_string());
                    m += 1;
                }
                if digits.is_empty()
                    && let Some(after) = cardinal(tokens, k + 1)
                {
                    digits = after.value.to_string().replace('.', "");
                    m = after.end;
                }
                if !digits.is_empty() {
                    let fraction: f64 = format!("0.{digits}").parse().unwrap_or(0.0);
                    return Some(Number {
                        value: total + current.unwrap_or(0.0) + fraction,
                        end: m,
                        scaled,
                    });
                }
                break;
            }
            // A bare scale letter after a figure: "2.33 k", "1,674.5 G", "1,674,200.5 M".
            if k > i && tokens[k - 1].kind == TokenKind::Figure && current.is_some() && !scaled {
                let scale = match tokens[k].text {
                    "k" | "K" => 1e3,
                    "M" => 1e6,
                    "G" | "B" => 1e9,
                    _ => 0.0,
                };
                if scale > 0.0 && word(k + 1).is_none_or(|n| n.len() != 1) {
                    current = current.map(|c| c * scale);
                    k += 1;
                    scaled = true;
                    continue;
                }
            }
            break;
        }
        if is_figure(k) && !used_figure(tokens, i, k) {
            let Some(v) = figure_value(tokens[k].text) else {
                break;
            };
            let after_and = k > i && word(k - 1) == Some("and");
            match current {
                // "3 hundred and 21"
                Some(c) if after_and && c % 100.0 == 0.0 && v < 100.0 && v.fract() == 0.0 => {
                    current = Some(c + v);
                    k += 1;
                    continue;
                }
                Some(_) => break, // "423 0000": two numbers
                None => {}
            }
            if tokens[k].lower.ends_with(|c: char| c.is_alphabetic()) {
                scaled = true;
            }
            current = Some(v);
            k += 1;
            used = true;
            let plain = |t: &Token, len: usize| {
                t.text.len() == len && t.text.bytes().all(|b| b.is_ascii_digit())
            };
            // "1 234 567", "40 000": digits grouped by single spaces.
            if plain(&tokens[k - 1], tokens[k - 1].text.len())
                && tokens[k - 1].text.len() <= 3
                && (k < 2 || tokens[k - 2].kind != TokenKind::Figure)
                && tokens.get(k).is_some_and(|t| {
                    t.thin
                        && t.text.len() >= 3
                        && t.text.as_bytes()[..3].iter().all(u8::is_ascii_digit)
                        && (t.text.len() == 3 || t.text.as_bytes()[3] == b'.')
                })
            {
                let mut value = v;
                while let Some(t) = tokens.get(k).filter(|t| {
                    t.thin
                        && t.kind == TokenKind::Figure
                        && t.text.len() >= 3
                        && t.text.as_bytes()[..3].iter().all(u8::is_ascii_digit)
                        && (t.text.len() == 3 || t.text.as_bytes()[3] == b'.')
                }) {
                    let group = figure_value(t.text).unwrap_or(0.0);
                    value = value * 1000.0 + group;
                    k += 1;
                    if t.text.len() > 3 {
                        break;
                    }
                }
                current = Some(value);
            }
            // "160, 000": a thousands separator with a stray space.
            if symbol(k, ",")
                && !tokens[k].spaced
                && tokens[k - 1].text.len() <= 3
                && tokens[k - 1].text.bytes().all(|b| b.is_ascii_digit())
                && tokens.get(k + 1).is_some_and(|t| {
                    t.kind == TokenKind::Figure
                        && t.text.len() == 3
                        && t.text.bytes().all(|b| b.is_ascii_digit())
                })
                && tokens
                    .get(k + 2)
                    .is_none_or(|t| t.kind != TokenKind::Figure)
                // "1, 234, 567" is a list, not one figure: no merge inside one.
                && !(symbol(k + 2, ",") && is_figure(k + 3))
                && !(k >= 3 && symbol(k - 2, ",") && is_figure(k - 3))
                && tokens[k + 1].spaced
            {
                current = Some(v * 1000.0 + figure_value(tokens[k + 1].text).unwrap_or(0.0));
                k += 2;
            }
            // A fraction in figures: "4/5", "1 4/5"; not "5/17/2018" or "2222/2222" in a
            // phone number.
            let chained = |m: usize| symbol(m, "/") || symbol(m, "-");
            let in_chain = (k >= 3 && chained(k - 2) && is_figure(k - 3) && !tokens[k - 1].spaced)
                || chained(k + 2);
            if symbol(k, "/") && !tokens[k].spaced && is_figure(k + 1) && !in_chain {
                if let Some(d) = figure_value(tokens[k + 1].text).filter(|d| *d != 0.0) {
                    current = Some(v / d);
                    k += 2;
                }
            } else if is_figure(k) && symbol(k + 1, "/") && is_figure(k + 2) {
                let n = figure_value(tokens[k].text);
                let d = figure_value(tokens[k + 2].text).filter(|d| *d != 0.0);
                if let (Some(n), Some(d)) = (n, d) {
                    current = Some(v + n / d);
                    k += 3;
                }
            }
            continue;
        }
        break;
    }
    if !used {
        return None;
    }
    // An "and" read ahead that led nowhere is not part of the number.
    while k > i && word(k - 1) == Some("and") {
        k -= 1;
    }
    Some(Number {
        value: total + current.unwrap_or(0.0),
        end: k,
        scaled,
    })
}

/// Whether a figure at `k` would be a second figure after others in the same number.
fn used_figure(tokens: &[Token], i: usize, k: usize) -> bool {
    (i..k).any(|j| tokens[j].kind == TokenKind::Figure)
        && (i..k)
            .all(|j| tokens[j].kind != TokenKind::Word || scale_word(&tokens[j].lower).is_none())
}

/// "a half", "one fourth", "a quarter", "two thirds" after "and".
fn fraction(tokens: &[Token], i: usize) -> Option<Number> {
    let word = |k: usize| {
        tokens
            .get(k)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.lower.as_ref())
    };
    let numerator = match word(i)? {
        "a" | "an" | "one" => 1.0,
        w => unit_word(w)?,
    };
    let (denominator, place, _) = ordinal_word(word(i + 1)?)?;
    if place == Place::Unit && denominator < 3.0 {
        return None;
    }
    Some(Number {
        value: numerator / denominator,
        end: i + 2,
        scaled: false,
    })
}

/// Vague magnitudes: "hundreds", "thousands", "tens of thousands", "hundreds of thousands",
/// "dozens", "millions", as intervals. "tens of hundreds" (a spinner's) is thousands.
fn magnitude(tokens: &[Token], i: usize) -> Option<(f64, f64, usize)> {
    let word = |k: usize| {
        tokens
            .get(k)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.lower.as_ref())
    };
    let plural = |w: &str| -> Option<f64> {
        Some(match w {
            "dozens" => 12.0,
            "scores" if word(i + 1) == Some("of") => 20.0, // not "he scores"
            "hundreds" => 1e2,
            "thousands" => 1e3,
            "millions" => 1e6,
            "billions" => 1e9,
            "trillions" => 1e12,
            _ => return None,
        })
    };
    let first = word(i)?;
    if first == "tens" && word(i + 1) == Some("of") {
        let scale = plural(word(i + 2)?)?;
        let base = 10.0 * scale;
        return Some((2.0 * base, just_below(10.0 * base), i + 3));
    }
    let scale = plural(first)?;
    if word(i + 1) == Some("of")
        && let Some(inner) = word(i + 2).and_then(plural)
        && inner > scale
    {
        return Some((2.0 * scale * inner, just_below(10.0 * scale * inner), i + 3));
    }
    Some((2.0 * scale, just_below(10.0 * scale), i + 1))
}

/// Currency by symbol or name, as the unit name Recognizers-Text gives.
fn currency(lower: &str) -> Option<&'static str> {
    Some(match lower {
        "$" | "dollar" | "dollars" | "dlr" | "dlrs" => "Dollar",
        "usd" => "United States dollar",
        "aud" => "Australian dollar",
        "cad" => "Canadian dollar",
        "nzd" => "New Zealand dollar",
        "hkd" => "Hong Kong dollar",
        "mxn" => "Mexican peso",
        "€" | "euro" | "euros" | "eur" => "Euro",
        "£" | "pound" | "pounds" | "stg" | "sterling" => "Pound",
        "gbp" => "British pound",
        "¥" | "yen" | "jpy" => "Japanese yen",
        "yuan" | "renminbi" | "rmb" | "cny" | "元" | "kuai" => "Chinese yuan",
        "₿" => "Bitcoin",
        "satoshi" | "satoshis" => "Satoshi",
        "₡" => "Costa Rican colón",
        "₾" => "Georgian lari",
        "₭" => "Lao kip",
        "ரூ" => "Sri Lankan rupee",
        "ruble" | "rubles" | "rouble" | "roubles" | "rub" => "Russian ruble",
        "franc" | "francs" => "Franc",
        "rupee" | "rupees" => "Rupee",
        "cent" | "cents" | "cts" => "Cent",
        "penny" => "Penny",
        "pence" => "Pence",
        "peso" | "pesos" => "Peso",
        "peseta" | "pesetas" => "Peseta",
        "markka" | "markkaa" => "Finnish markka",
        "bitcoin" | "bitcoins" | "btc" => "Bitcoin",
        "sen" => "Sen",
        "crown" | "crowns" | "krona" | "kronor" | "krone" | "kroner" => "Crown",
        "ecu" | "ecus" => "European Currency Unit",
        "lira" | "liras" | "lire" => "Lira",
        "guilder" | "guilders" => "Guilder",
        "mark" | "marks" | "dm" => "Mark",
        _ => return None,
    })
}

/// A country prefix before a currency symbol ("C$", "HK $", "US $", "u.s $", "mxn$"): the
/// token where the amount starts.
fn currency_prefix_start(tokens: &[Token], at: usize) -> usize {
    let symbol_at = tokens
        .get(at)
        .is_some_and(|t| t.kind == TokenKind::Symbol && currency(&t.lower).is_some());
    if symbol_at && at > 0 && dollar_prefix(tokens, at).is_some() {
        return if dotted_us(tokens, at) {
            at - 3
        } else {
            at - 1
        };
    }
    at
}

/// Whether "u.s" (three tokens: u, ., s) stands right before the token at `at`.
fn dotted_us(tokens: &[Token], at: usize) -> bool {
    at >= 3
        && tokens[at - 1].lower == "s"
        && tokens[at - 2].text == "."
        && tokens[at - 3].lower == "u"
}

/// The country of a prefix before "$" at `at`: "C $", "HK$", "u.s $", "mxn$". One-letter
/// prefixes "A" and "S" count only glued to the sign: "a $4 billion" is an article.
fn dollar_prefix(tokens: &[Token], at: usize) -> Option<&'static str> {
    let prefix = tokens
        .get(at.checked_sub(1)?)
        .filter(|t| t.kind == TokenKind::Word)?;
    let glued = !tokens[at].spaced;
    if dotted_us(tokens, at) {
        return Some("United States dollar");
    }
    let after_apostrophe = at >= 2 && matches!(tokens[at - 2].text, "'" | "’");
    if after_apostrophe || (matches!(prefix.lower.as_ref(), "a" | "s") && !glued) {
        return None;
    }
    dollar_country(&prefix.lower)
}

/// Dollars by country prefix: "c" -> Canadian dollar.
fn dollar_country(prefix: &str) -> Option<&'static str> {
    Some(match prefix {
        "c" | "ca" | "can" | "cad" => "Canadian dollar",
        "a" | "au" | "aus" | "aud" => "Australian dollar",
        "hk" | "hkd" => "Hong Kong dollar",
        "us" | "usd" => "United States dollar",
        "nz" | "nzd" => "New Zealand dollar",
        "s" => "Singapore dollar",
        "mex" | "mxn" => "Mexican peso",
        _ => return None,
    })
}

/// A currency code with a million prefix: "MUSD", "MEUR", "maud" -> (unit, 1e6).
fn million_code(lower: &str) -> Option<&'static str> {
    let code = lower.strip_prefix('m')?;
    if code.len() != 3 {
        return None;
    }
    currency(code).or_else(|| dollar_country(code))
}

/// A currency named by a word before its amount: "USD 200", "rmb 10", "sen 100,000", "dollar
/// 22.5 million", and "MAUD 60" (in millions).
fn currency_word_before(lower: &str) -> Option<(&'static str, f64)> {
    if let Some(unit) = million_code(lower) {
        return Some((unit, 1e6));
    }
    matches!(
        lower,
        "usd"
            | "eur"
            | "gbp"
            | "rmb"
            | "jpy"
            | "cny"
            | "aud"
            | "cad"
            | "nzd"
            | "mxn"
            | "hkd"
            | "dollar"
            | "sen"
            | "btc"
    )
    .then(|| currency(lower).or_else(|| dollar_country(lower)))
    .flatten()
    .map(|unit| (unit, 1.0))
}

/// Currency names of two words: "australian dollars", "finnish markka", "swiss francs".
fn currency_phrase(first: &str, second: &str) -> Option<&'static str> {
    let second = second.strip_suffix('s').unwrap_or(second);
    Some(match (first, second) {
        ("australian", "dollar") => "Australian dollar",
        ("canadian", "dollar") => "Canadian dollar",
        ("hong", "kong") => "Hong Kong dollar",
        ("us" | "u.s", "dollar") => "United States dollar",
        ("new", "zealand") => "New Zealand dollar",
        ("finnish", "markka") => "Finnish markka",
        ("swiss", "franc") => "Swiss franc",
        ("french", "franc") => "French franc",
        ("dutch", "guilder") => "Netherlands guilder",
        ("japanese", "yen") => "Japanese yen",
        ("mexican", "peso") => "Mexican peso",
        ("turkish", "lira") => "Turkish lira",
        ("british", "pound") => "British pound",
        ("chinese", "yuan") => "Chinese yuan",
        ("indian", "rupee") => "Indian rupee",
        _ => return None,
    })
}

/// Qualifiers before a number, as (words, kind): a band around it, a lower or an upper bound.
#[derive(Clone, Copy, PartialEq)]
enum Bound {
    Exact,
    Band,
    AtLeast,
    MoreThan,
    AtMost,
    LessThan,
}

const QUALIFIERS: &[(&str, Bound)] = &[
    ("equal to", Bound::Exact),
    ("equals", Bound::Exact),
    ("equals to", Bound::Exact),
    ("equaling to", Bound::Exact),
    ("equal to or more than", Bound::AtLeast),
    ("equal to or greater than", Bound::AtLeast),
    ("equal to or less than", Bound::AtMost),
    ("equal to or fewer than", Bound::AtMost),
    ("greater than or equal to", Bound::AtLeast),
    ("more than or equal to", Bound::AtLeast),
    ("higher or equal than", Bound::AtLeast),
    ("bigger or equal than", Bound::AtLeast),
    ("greater or equal than", Bound::AtLeast),
    ("larger or equal than", Bound::AtLeast),
    ("at least or equal to", Bound::AtLeast),
    ("less than or equal to", Bound::AtMost),
    ("fewer than or equal to", Bound::AtMost),
    ("less or equal than", Bound::AtMost),
    ("smaller or equal than", Bound::AtMost),
    ("lower or equal than", Bound::AtMost),
    (">", Bound::MoreThan),
    ("> =", Bound::AtLeast),
    ("<", Bound::LessThan),
    ("< =", Bound::AtMost),
    ("≥", Bound::AtLeast),
    ("≤", Bound::AtMost),
    ("surpass", Bound::MoreThan),
    ("surpassing", Bound::MoreThan),
    ("bigger than", Bound::MoreThan),
    ("smaller than", Bound::LessThan),
    ("more than", Bound::MoreThan),
    ("greater than", Bound::MoreThan),
    ("higher than", Bound::MoreThan),
    ("larger than", Bound::MoreThan),
    ("over", Bound::MoreThan),
    ("above", Bound::MoreThan),
    ("exceed", Bound::MoreThan),
    ("exceeds", Bound::MoreThan),
    ("exceeding", Bound::MoreThan),
    ("topping", Bound::MoreThan),
    ("at least", Bound::AtLeast),
    ("no less than", Bound::AtLeast),
    ("not less than", Bound::AtLeast),
    ("at most", Bound::AtMost),
    ("up to", Bound::AtMost),
    ("no more than", Bound::AtMost),
    ("not more than", Bound::AtMost),
    ("less than", Bound::LessThan),
    ("fewer than", Bound::LessThan),
    ("lower than", Bound::LessThan),
    ("under", Bound::LessThan),
    ("below", Bound::LessThan),
    ("about", Bound::Band),
    ("around", Bound::Band),
    ("approximately", Bound::Band),
    ("roughly", Bound::Band),
    ("some", Bound::Band),
    ("nearly", Bound::Band),
    ("almost", Bound::Band),
    ("just over", Bound::Band),
    ("just under", Bound::Band),
    ("an estimated", Bound::Band),
    ("estimated", Bound::Band),
];

/// The kind of a qualifier, so that a spinner's "greater than" matches "more than".
fn qualifier_kind(qualifier: &Option<String>) -> Option<u8> {
    let text = qualifier.as_deref()?;
    let bound = QUALIFIERS.iter().find(|(phrase, _)| *phrase == text)?.1;
    Some(bound as u8)
}

/// The share a band qualifier allows either side of its value.
const BAND: f64 = 0.1;

/// Qualifier phrases by their first word: (words, bound, phrase).
type QualifierIndex =
    rustc_hash::FxHashMap<&'static str, Vec<(Vec<&'static str>, Bound, &'static str)>>;

/// The qualifier phrases by first word, split once.
static QUALIFIER_WORDS: std::sync::LazyLock<QualifierIndex> = std::sync::LazyLock::new(|| {
    let mut map = QualifierIndex::default();
    for &(phrase, bound) in QUALIFIERS {
        let words: Vec<&'static str> = phrase.split(' ').collect();
        map.entry(words[0])
            .or_default()
            .push((words, bound, phrase));
    }
    map
});

fn qualifier(tokens: &[Token], i: usize) -> Option<(Bound, usize, &'static str)> {
    let phrases = QUALIFIER_WORDS.get(tokens.get(i)?.lower.as_ref())?;
    let mut best: Option<(Bound, usize, &'static str)> = None;
    for (words, bound, phrase) in phrases {
        let matches = words.iter().enumerate().all(|(k, w)| {
            tokens.get(i + k).is_some_and(|t| {
                t.lower == *w && (t.kind == TokenKind::Word || !w.starts_with(char::is_alphabetic))
            })
        });
        if matches && best.is_none_or(|(_, end, _)| i + words.len() > end) {
            best = Some((*bound, i + words.len(), phrase));
        }
    }
    best
}

/// Every number in `text`, bare: its byte span and value, without qualifiers, ranges, units or
/// typing (Recognizers-Text's NumberModel).
pub fn numbers(text: &str) -> Vec<((usize, usize), f64)> {
    let lowered = ascii_lowered(text);
    let tokens = scan(text, lowered.as_deref());
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match number(&tokens, i) {
            Some(n) if n.end > i => {
                out.push(((tokens[i].start, tokens[n.end - 1].end), n.value));
                i = n.end;
            }
            _ => i += 1,
        }
    }
    out
}

/// Extracts the numbers stated in `text`.
pub fn extract(text: &str) -> Vec<Claim> {
    extract_with(text, true)
}

/// [`extract`], trying every position if `skip_far` is false (what the skipping is held to).
fn extract_with(text: &str, skip_far: bool) -> Vec<Claim> {
    let lowered = ascii_lowered(text);
    let tokens = scan(text, lowered.as_deref());
    // Every claim holds a figure or a number word within LEAD tokens of where it starts (the
    // longest qualifier, a currency, "percent of" before it), so the positions further than
    // that from the next one are not tried: most words of most sentences.
    let next = next_number_like(&tokens);
    let mut claims = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if skip_far && next[i] >= tokens.len() {
            break;
        }
        if skip_far && next[i] - i > LEAD {
            i = next[i] - LEAD;
            continue;
        }
        match claim_at(text, &tokens, i) {
            Some((claim, end)) => {
                claims.push(claim);
                i = end.max(i + 1);
            }
            None => i += 1,
        }
    }
    claims
}

/// How far before its first figure or number word a claim may start: the longest qualifier
/// ("equal to or greater than"), a currency ("US $"), and room to spare; a property test holds
/// the skipping this allows to trying every position.
const LEAD: usize = 10;

/// For each token, the index of the first token at or after it that is a figure or a word
/// that can be part of a number; `tokens.len()` if there is none.
fn next_number_like(tokens: &[Token]) -> Vec<usize> {
    let mut next = vec![tokens.len(); tokens.len()];
    let mut upcoming = tokens.len();
    for (i, token) in tokens.iter().enumerate().rev() {
        if is_number_like(token) {
            upcoming = i;
        }
        next[i] = upcoming;
    }
    next
}

/// A figure, or a word a number can be made of: the words of [`cardinal`], [`word_fraction`]
/// and [`magnitude`].
fn is_number_like(token: &Token) -> bool {
    match token.kind {
        TokenKind::Figure => true,
        TokenKind::Symbol => false,
        TokenKind::Word => {
            let w = token.lower.as_ref();
            unit_word(w).is_some()
                || tens_word(w).is_some()
                || scale_word(w).is_some()
                || ordinal_word(w).is_some()
                || matches!(
                    w,
                    "half"
                        | "halves"
                        | "quarter"
                        | "quarters"
                        | "dozen"
                        | "dozens"
                        | "dz"
                        | "dzs"
                        | "doz"
                        | "dozs"
                        | "scores"
                        | "tens"
                        | "hundreds"
                        | "thousands"
                        | "millions"
                        | "billions"
                        | "trillions"
                )
        }
    }
}

fn claim_at(text: &str, tokens: &[Token], i: usize) -> Option<(Claim, usize)> {
    if i >= tokens.len() {
        return None; // a second bound looked for after the last token
    }
    let word = |k: usize| {
        tokens
            .get(k)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.lower.as_ref())
    };
    let symbol = |k: usize, s: &[&str]| {
        tokens
            .get(k)
            .is_some_and(|t| t.kind == TokenKind::Symbol && s.contains(&t.text))
    };

    // "percent of 10", "per cent of twenty-two" opening a sentence: Recognizers-Text reads
    // them as 10% and 22%.
    let percent_words = match (word(i), word(i + 1)) {
        (Some("percent" | "percents"), _) => 1,
        (Some("per"), Some("cent")) => 2,
        _ => 0,
    };
    if percent_words > 0
        && (i == 0 || tokens[i - 1].kind != TokenKind::Word)
        && word(i + percent_words) == Some("of")
        && let Some(n) = number(tokens, i + percent_words + 1)
    {
        let claim = make(
            text,
            tokens,
            i,
            n.end,
            ClaimKind::Percent,
            n.value,
            n.value,
            None,
            None,
        );
        return Some((claim, n.end));
    }

    // Qualifier or range opener, then an optional currency symbol, then a number.
    let mut k = i;
    let mut bound = None;
    let mut qualifier_text = None;
    let mut between = false;
    // "<>30", "=>30": no comparison a reader would write; "<BA> 767": a ticker's bracket.
    let stray_sign = |t: &Token| matches!(t.text, "<" | ">" | "=");
    let bracket = tokens[k].text == ">"
        && k >= 2
        && !tokens[k].spaced
        && tokens[k - 1].kind != TokenKind::Symbol
        && (k - 2..k).any(|m| tokens[m].text == "<")
        || (k >= 3
            && tokens[k].text == ">"
            && tokens[k - 3].text == "<"
            && !tokens[k - 1].spaced
            && !tokens[k].spaced);
    let stray = k > 0 && !tokens[k].spaced && stray_sign(&tokens[k]) && stray_sign(&tokens[k - 1]);
    if let Some((b, end, phrase)) = qualifier(tokens, k).filter(|_| !stray && !bracket) {
        bound = Some(b);
        qualifier_text = Some(phrase.to_string());
        k = end;
    } else if matches!(word(k), Some("between" | "from")) {
        between = true;
        k += 1;
    }
    let mut unit: Option<String> = None;
    let mut kind = ClaimKind::Quantity;
    let before_currency = k;
    let mut money_scale = 1.0;
    if let Some(t) = tokens.get(k).filter(|t| t.kind == TokenKind::Symbol)
        && let Some(c) = currency(&t.lower)
    {
        let country = k
            .checked_sub(1)
            .filter(|&p| p >= i && tokens[p].kind == TokenKind::Word)
            .and_then(|_| dollar_prefix(tokens, k));
        unit = Some(country.unwrap_or(c).to_string());
        kind = ClaimKind::Money;
        k += 1;
    } else if tokens.get(k + 1).is_some_and(|t| t.text == "$")
        && let Some(w) = dollar_prefix(tokens, k + 1)
    {
        unit = Some(w.to_string());
        kind = ClaimKind::Money;
        k += 2;
    } else if tokens.get(k + 3).is_some_and(|t| t.text == "$") && dotted_us(tokens, k + 3) {
        unit = Some("United States dollar".to_string());
        kind = ClaimKind::Money;
        k += 4;
    } else if let Some((w, scale)) = word(k).and_then(currency_word_before)
        && tokens.get(k + 1).is_some_and(|t| {
            t.kind == TokenKind::Figure
                || unit_word(&t.lower).is_some()
                || tens_word(&t.lower).is_some()
        })
    {
        unit = Some(w.to_string());
        kind = ClaimKind::Money;
        money_scale = scale;
        k += 1;
    }
    // "115USD", "115.5usd": a figure with its currency code glued on.
    if unit.is_none()
        && let Some(t) = tokens.get(k).filter(|t| t.kind == TokenKind::Figure)
        && let Some(at) = t.lower.find(|c: char| c.is_ascii_alphabetic())
        && t.lower.len() - at == 3
        && let Some(c) = currency(&t.lower[at..])
        && let Some(v) = parse_digits(&t.lower[..at])
    {
        let mut claim = make(
            text,
            tokens,
            k,
            k + 1,
            ClaimKind::Money,
            v,
            v,
            None,
            Some(c.to_string()),
        );
        if bound.is_some() {
            return None; // qualified amounts in this form are left alone
        }
        claim.stated = v;
        return Some((claim, k + 1));
    }
    // A vague magnitude stands for a number here.
    let (mut low, mut high, mut end, scaled) = match number(tokens, k) {
        Some(n) => (n.value, n.value, n.end, n.scaled),
        None => {
            let (low, high, end) = magnitude(tokens, k)?;
            (low, high, end, true)
        }
    };
    if k == i && (bound.is_some() || between) {
        return None;
    }
    // A claim starts at its qualifier, its currency or its number, not before.
    if bound.is_none() && !between && before_currency > i {
        return None;
    }
    let mut start_token = i;

    // "Under one agreement", "over a year": a preposition, not a bound on one.
    if matches!(
        qualifier_text.as_deref(),
        Some("under" | "over" | "above" | "below" | "some")
    ) && matches!(tokens[k].lower.as_ref(), "one" | "a" | "an")
        && end == k + 1
    {
        return None;
    }

    // A model or code glued to letters: "A300", "CF6", "G7".
    if tokens[k].kind == TokenKind::Figure
        && unit.is_none()
        && k > 0
        && !tokens[k].spaced
        // "CF6", "80C2"; but Chinese and Japanese write figures against their words: "约300名"
        // is a count.
        && (tokens[k - 1].kind == TokenKind::Word
            && tokens[k - 1].text.bytes().all(|b| b.is_ascii_alphabetic())
            || tokens[k - 1].kind == TokenKind::Figure
                && tokens[k - 1].text.ends_with(|c: char| c.is_ascii_alphabetic()))
    {
        let stop = code_end(tokens, end);
        let claim = make(
            text,
            tokens,
            k - 1,
            stop,
            ClaimKind::Code,
            low,
            low,
            None,
            None,
        );
        return Some((claim, stop));
    }

    // A model or code: "A300-600", "G-5", "CFG-80C2": a figure glued by a dash to a word.
    if tokens[k].kind == TokenKind::Figure
        && unit.is_none()
        && k >= 2
        && symbol(k - 1, &["-"])
        && !tokens[k - 1].spaced
        && !tokens[k].spaced
        && (tokens[k - 2].kind == TokenKind::Figure
            && (tokens[k - 2]
                .text
                .ends_with(|c: char| c.is_ascii_alphabetic())
                || k >= 3 && !tokens[k - 2].spaced && tokens[k - 3].kind == TokenKind::Word)
            || tokens[k - 2].kind == TokenKind::Word
                && tokens[k - 2].text.chars().any(char::is_uppercase))
    {
        // The rest of the code: "A-300-600", "747-400ER".
        let stop = code_end(tokens, end);
        let claim = make(text, tokens, k, stop, ClaimKind::Code, low, low, None, None);
        return Some((claim, stop));
    }

    // A phone number or code: "+1-222-2222-2222", "1-222-2222/2222".
    if tokens[k].kind == TokenKind::Figure && unit.is_none() && bound.is_none() && !between {
        let glued = |m: usize| tokens.get(m).is_some_and(|t| !t.spaced);
        let joint = |m: usize| {
            symbol(m, &["-", "/", "."])
                && glued(m)
                && glued(m + 1)
                && tokens
                    .get(m + 1)
                    .is_some_and(|t| t.kind == TokenKind::Figure)
        };
        let plus = k > 0 && symbol(k - 1, &["+"]) && glued(k);
        let mut m = k + 1;
        let mut joints = 0;
        while joint(m) {
            m += 2;
            joints += 1;
        }
        let slashes = tokens[k..m].iter().filter(|t| t.text == "/").count();
        if joints == 2 && slashes == 2 && !plus {
            // "5/17/2018": a date.
            let claim = make(text, tokens, k, m, ClaimKind::Date, low, low, None, None);
            return Some((claim, m));
        }
        if joints >= 2 && (plus || tokens[k..m].iter().any(|t| t.text == "-"))
            || plus && joints >= 1
        {
            let first = if plus { k - 1 } else { k };
            let claim = make(
                text,
                tokens,
                first,
                m,
                ClaimKind::Code,
                low,
                low,
                None,
                None,
            );
            return Some((claim, m));
        }
    }
    let amount_token = if unit.is_some() { before_currency } else { k };
    let amount_token = currency_prefix_start(tokens, amount_token).max(i);
    let figure_only = tokens[k].kind == TokenKind::Figure && end == k + 1;

    // Ages: "aged 45", "a 45-year-old man", "45 years old".
    // A qualified age ("more than thirty years old") stays a bound on a number of years.
    if unit.is_none() && !between && low == high && bound.is_none() {
        let hyphen = |m: usize| symbol(m, &["-"]) && !tokens[m].spaced;
        let stop = if hyphen(end)
            && word(end + 1) == Some("year")
            && hyphen(end + 2)
            && word(end + 3) == Some("old")
        {
            Some(end + 4)
        } else if matches!(word(end), Some("years" | "year")) && word(end + 1) == Some("old") {
            Some(end + 2)
        } else if k > 0 && word(k - 1) == Some("aged") {
            Some(end)
        } else {
            None
        };
        if let Some(stop) = stop {
            let claim = make(text, tokens, k, stop, ClaimKind::Age, low, low, None, None);
            return Some((claim, stop));
        }
    }

    // Dates and times before quantities: "Dec. 31", "January 3, 2025", "9:57 AM".
    if figure_only && unit.is_none() && bound.is_none() && !between {
        let before = k.checked_sub(1).and_then(word);
        let before2 = k.checked_sub(2).and_then(word);
        let after_month = before.is_some_and(|w| crate::text::MONTHS.contains(&w))
            || (symbol(k.wrapping_sub(1), &["."])
                && before2.is_some_and(|w| crate::text::MONTHS.contains(&w)));
        if after_month && low.fract() == 0.0 && (1.0..=31.0).contains(&low) {
            let mut stop = end;
            if symbol(stop, &[","])
                && tokens
                    .get(stop + 1)
                    .is_some_and(|t| t.kind == TokenKind::Figure && t.text.len() == 4)
            {
                stop += 2;
            }
            return Some((
                make(text, tokens, k, stop, ClaimKind::Date, low, low, None, None),
                stop,
            ));
        }
        if symbol(end, &[":"])
            && tokens
                .get(end + 1)
                .is_some_and(|t| t.kind == TokenKind::Figure)
        {
            let mut stop = end + 2;
            if matches!(word(stop), Some("am" | "pm" | "a.m" | "p.m")) {
                stop += 1;
            }
            return Some((
                make(text, tokens, k, stop, ClaimKind::Time, low, low, None, None),
                stop,
            ));
        }
        let plain_digits = tokens[k].text.bytes().all(|b| b.is_ascii_digit());
        if plain_digits && tokens[k].text.len() == 4 && (1900.0..=2100.0).contains(&low) {
            return Some((
                make(text, tokens, k, end, ClaimKind::Year, low, low, None, None),
                end,
            ));
        }
        // "10th", "2nd": ordinals.
        if ["st", "nd", "rd", "th"]
            .iter()
            .any(|s| tokens[k].lower.ends_with(s))
        {
            return None;
        }
    }

    // A range: "140,000 to 180,000", "300,000-350,000", "between 20 and 30".
    let joiner = |t: usize| -> bool {
        matches!(word(t), Some("to" | "through" | "and")) && (between || word(t) != Some("and"))
            || symbol(t, &["-", "–", "—", "~"])
    };
    // "fell by 5 to 761" is a change and a level, not a range.
    let change = k > 0 && word(k - 1) == Some("by") && word(end) == Some("to");
    let ranged = bound.is_none_or(|b| b == Bound::Band) && !change;
    if ranged
        && joiner(end)
        && tokens
            .get(end + 1)
            .is_some_and(|t| t.kind != TokenKind::Symbol || currency(&t.lower).is_some())
    {
        let mut m = end + 1;
        if tokens.get(m).and_then(|t| currency(&t.lower)).is_some() {
            m += 1;
        }
        if let Some(second) = number(tokens, m) {
            let mut first = low;
            // "140 to 180 million": the first bound shares the second's scale word.
            if second.scaled
                && !scaled
                && first < second.value
                && let Some(s) = tokens[m..second.end]
                    .iter()
                    .find_map(|t| scale_word(&t.lower))
            {
                first *= s;
            }
            if second.value >= first {
                low = first;
                high = second.value;
                end = second.end;
            } else if symbol(end, &["-"]) && !tokens[end].spaced && !tokens[m].spaced && !between {
                // "767-300": a model number, not a range going down.
                let claim = make(
                    text,
                    tokens,
                    k,
                    second.end,
                    ClaimKind::Code,
                    low,
                    low,
                    None,
                    None,
                );
                return Some((claim, second.end));
            }
        }
    } else if between {
        return None;
    }

    // After the number: percent, currency, a scale already read; then the counted noun.
    if matches!(
        word(end),
        Some("percent" | "pct" | "percentage" | "percents")
    ) || symbol(end, &["%"])
    {
        kind = ClaimKind::Percent;
        end += 1;
        if word(end) == Some("points") {
            end += 1;
        }
    } else if word(end) == Some("per") && word(end + 1) == Some("cent") {
        kind = ClaimKind::Percent;
        end += 2;
    } else if let (Some(first), Some(second)) = (word(end), word(end + 1))
        && let Some(c) = currency_phrase(first, second)
        && unit.is_none()
    {
        unit = Some(c.to_string());
        kind = ClaimKind::Money;
        end += if second == "kong" { 3 } else { 2 };
    } else if let Some(c) = tokens
        .get(end)
        .filter(|t| {
            // "$ 20,000.00 $ 37,305.97", "3 USD50 cards": a currency glued to the next
            // figure, or a second sign after a prefixed amount, starts the next amount.
            let next_glued = tokens
                .get(end + 1)
                .is_some_and(|n| n.kind == TokenKind::Figure && !n.spaced);
            let second_sign = t.kind == TokenKind::Symbol && unit.is_some();
            !next_glued && !second_sign
        })
        .and_then(|t| currency(&t.lower))
    {
        if unit.is_none() {
            unit = Some(c.to_string());
            kind = ClaimKind::Money;
            end += 1;
        } else if unit.as_deref() == Some(c)
            || c == "Dollar" && unit.as_deref().is_some_and(|u| u.ends_with("dollar"))
        {
            end += 1; // "$ 10 dollars"
        }
    } else if unit.is_none()
        && tokens
            .get(end)
            .is_some_and(|t| t.kind == TokenKind::Word && t.text.starts_with(char::is_uppercase))
        && let Some(c) = tokens.get(end + 1).and_then(|t| currency(&t.lower))
    {
        // "10.09 billion Singapore dlrs", "5 Swedish crowns"
        unit = Some(format!("{} {}", tokens[end].text, c.to_lowercase()));
        kind = ClaimKind::Money;
        end += 2;
    } else if unit.is_none()
        && word(end) == Some("european")
        && word(end + 1) == Some("currency")
        && matches!(word(end + 2), Some("units" | "unit"))
    {
        unit = Some("European Currency Unit".to_string());
        kind = ClaimKind::Money;
        end += 3;
    } else if let Some(c) = word(end).and_then(million_code).filter(|_| unit.is_none()) {
        // "30 MUSD", "120 MEUR"
        unit = Some(c.to_string());
        kind = ClaimKind::Money;
        money_scale = 1e6;
        end += 1;
    } else if symbol(end, &["-"])
        && !tokens[end].spaced
        && unit.is_none()
        && let Some(c) = tokens
            .get(end + 1)
            .filter(|t| !t.spaced)
            .and_then(|t| currency(&t.lower))
    {
        // "a 12-cent dividend", "its one-yen bid"
        unit = Some(c.to_string());
        kind = ClaimKind::Money;
        end += 2;
    }
    if kind == ClaimKind::Money {
        // "75 USD million"
        if !scaled && let Some(scale) = word(end).and_then(scale_word).filter(|s| *s >= 1e3) {
            money_scale *= scale;
            end += 1;
        }
        // Cents after dollars: "3 dollars 50 cents", "thirteen dollars and forty-five cents",
        // "15 dollars 50.", "C$ 100 and fifty".
        let dollars = unit
            .as_deref()
            .is_some_and(|u| u.to_lowercase().contains("dollar"));
        if dollars && !scaled && low == high && low.fract() == 0.0 {
            let m = if word(end) == Some("and") {
                end + 1
            } else {
                end
            };
            if let Some(c) = cardinal(tokens, m).filter(|c| {
                !c.scaled && c.value >= 1.0 && c.value < 100.0 && c.value.fract() == 0.0
            }) {
                let cents_word = matches!(word(c.end), Some("cent" | "cents"));
                let stops = tokens.get(c.end).is_none_or(|t| {
                    t.kind == TokenKind::Symbol && t.text != "%" && currency(&t.lower).is_none()
                        || matches!(t.lower.as_ref(), "and" | "more")
                });
                if cents_word || stops {
                    low += c.value / 100.0;
                    high = low;
                    end = c.end + usize::from(cents_word);
                }
            }
        }
        low *= money_scale;
        high *= money_scale;
    }
    if unit.is_none() && kind == ClaimKind::Quantity {
        unit = counted_noun(tokens, end);
    }

    // A bound after the number: "500 or more", "200 or greater than", "less than 5000 or
    // equal", "equal to 5000 or less". Not when a number follows: "equal to 5000 or more than
    // 4500" is two claims.
    let or_and = matches!(word(end), Some("or" | "and"));
    let after = |m: usize| {
        let m = if matches!(word(m), Some("than" | "to")) {
            m + 1
        } else {
            m
        };
        let number_follows = tokens
            .get(m)
            .is_some_and(|t| t.kind == TokenKind::Figure || is_number_token(t));
        (!number_follows).then_some(m)
    };
    if or_and && matches!(bound, None | Some(Bound::Exact | Bound::Band)) && low == high {
        let postfix = match word(end + 1) {
            Some("more" | "greater" | "above" | "higher" | "over" | "larger") => {
                Some(Bound::AtLeast)
            }
            Some("less" | "fewer" | "lower" | "below" | "under" | "smaller") => Some(Bound::AtMost),
            _ => None,
        };
        if let Some(b) = postfix
            && let Some(m) = after(end + 2)
        {
            if bound == Some(Bound::Band) {
                start_token = k; // "about 500 or more" is "500 or more"
            }
            bound = Some(b);
            qualifier_text = Some(format!("or {}", tokens[end + 1].lower));
            end = m;
        }
    } else if word(end) == Some("or")
        && word(end + 1) == Some("equal")
        && matches!(bound, Some(Bound::MoreThan | Bound::LessThan))
        && let Some(m) = after(end + 2)
    {
        bound = Some(if bound == Some(Bound::MoreThan) {
            Bound::AtLeast
        } else {
            Bound::AtMost
        });
        end = m;
    }

    let stated = low;
    match bound {
        Some(Bound::Band) => {
            low -= low.abs() * BAND;
            high += high.abs() * BAND;
        }
        Some(Bound::AtLeast) => high = f64::INFINITY,
        Some(Bound::MoreThan) => {
            low = just_above(low);
            high = f64::INFINITY;
        }
        Some(Bound::AtMost) => low = if high < 0.0 { f64::NEG_INFINITY } else { 0.0 },
        Some(Bound::LessThan) => {
            high = just_below(high);
            low = if high < 0.0 { f64::NEG_INFINITY } else { 0.0 };
        }
        Some(Bound::Exact) | None => {}
    }
    let mut claim = make(
        text,
        tokens,
        start_token,
        end,
        kind,
        low,
        high,
        qualifier_text,
        unit,
    );
    claim.amount_span = (tokens[amount_token].start, claim.span.1);
    claim.stated = stated;

    // Two bounds of one quantity: "more than 10 and less than 40", "at most 100 and at least
    // 20", "higher or equal than one hundred, lower or equal than three hundred".
    let one_sided = |c: &Claim| c.qualifier.is_some() && (c.high.is_infinite() || c.low <= 0.0);
    if one_sided(&claim)
        && (matches!(word(end), Some("and" | "but")) || symbol(end, &[","]))
        && let Some((second, second_end)) = claim_at(text, tokens, end + 1)
        && one_sided(&second)
        && second.kind == claim.kind
        && claim.high.is_infinite() != second.high.is_infinite()
    {
        let (low, high) = (claim.low.max(second.low), claim.high.min(second.high));
        if low < high {
            let mut both = make(
                text,
                tokens,
                start_token,
                second_end,
                claim.kind,
                low,
                high,
                None,
                claim.unit.clone().or(second.unit),
            );
            both.qualifier = Some(format!(
                "{} … {}",
                claim.qualifier.as_deref().unwrap_or(""),
                second.qualifier.as_deref().unwrap_or("")
            ));
            both.amount_span = claim.amount_span;
            both.stated = claim.stated;
            return Some((both, second_end));
        }
    }
    Some((claim, end))
}

/// A value a hair above `x`: the open end of "more than x".
fn just_above(x: f64) -> f64 {
    x + x.abs().max(1.0) * 1e-9
}

/// A value a hair below `x`: the open end of "less than x" or of a magnitude's range.
fn just_below(x: f64) -> f64 {
    x - x.abs().max(1.0) * 1e-9
}

/// The noun a number counts, lower-cased: the next word that is not a function word or a
/// nationality ("700,000 Russian troops" -> "troops"). Compare nouns by their stems.
fn counted_noun(tokens: &[Token], i: usize) -> Option<String> {
    const SKIP: &[&str] = &[
        "of",
        "the",
        "new",
        "more",
        "other",
        "additional",
        "extra",
        "its",
        "their",
        "his",
        "her",
    ];
    for t in tokens.iter().skip(i).take(4) {
        if t.kind != TokenKind::Word {
            return None;
        }
        if SKIP.contains(&t.lower.as_ref())
            || t.text.starts_with(char::is_uppercase) && t.lower.ends_with("an")
        {
            continue;
        }
        if crate::text::is_stopword(crate::text::token_of(&t.lower)) {
            return None;
        }
        return Some(t.lower.to_string());
    }
    None
}

#[allow(clippy::too_many_arguments)]
fn make(
    text: &str,
    tokens: &[Token],
    first: usize,
    end: usize,
    kind: ClaimKind,
    low: f64,
    high: f64,
    qualifier: Option<String>,
    unit: Option<String>,
) -> Claim {
    let start = tokens[first].start;
    let stop = tokens[end.saturating_sub(1).max(first)].end;
    Claim {
        span: (start, stop),
        text: text[start..stop].to_string(),
        kind,
        amount_span: (start, stop),
        stated: low,
        low,
        high,
        qualifier,
        unit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Claim {
        let claims = extract(text);
        assert_eq!(claims.len(), 1, "{text:?}: {claims:?}");
        claims.into_iter().next().unwrap()
    }

    fn value(text: &str) -> f64 {
        one(text)
            .value()
            .unwrap_or_else(|| panic!("{text:?} is not one value"))
    }

    #[test]
    fn a_sign_word_at_the_very_end_is_not_a_number() {
        // Found by the claims fuzz target (fuzz/regressions/claims): "minus" as the last token
        // read past the end of the tokens.
        assert!(extract("He gave the same number minus ").is_empty());
        assert!(extract("negative").is_empty());
        assert!(numbers("-").is_empty());
    }

    #[test]
    fn a_bound_followed_by_and_at_the_very_end_is_one_claim() {
        // Found by the 1,000,000-document synthetic run: "more than 10 and" as the last tokens
        // looked for a second bound one token past the end.
        for text in ["more than 10 and", "at least 20,", "less than 5 but"] {
            assert_eq!(extract(text).len(), 1, "{text:?}");
        }
    }

    #[test]
    fn invisible_characters_do_not_hide_a_figure() {
        let plain = one("more than two thousand soldiers");
        let salted = one("more \u{200b}than two thou\u{200b}sand sol\u{ad}diers");
        assert_eq!((salted.low, salted.high), (plain.low, plain.high));
        assert_eq!(salted.qualifier, plain.qualifier);
        assert_eq!(value("\u{200f}2.5 mil\u{200b}lion rubles"), 2_500_000.0);
    }

    #[test]
    fn figures_with_separators_decimals_and_scales() {
        assert_eq!(value("1,020 people"), 1020.0);
        assert_eq!(value("92,900 recruits"), 92900.0);
        assert_eq!(value("2.5 million rubles"), 2_500_000.0);
        assert_eq!(value("10.4 thousand residents"), 10_400.0);
        assert_eq!(value("5.93 mln bags"), 5_930_000.0);
        assert_eq!(value("1.01 billion"), 1_010_000_000.0);
        assert_eq!(value("I can give you 10M."), 10_000_000.0);
        assert!(extract("a 29km road").is_empty());
    }

    #[test]
    fn number_words() {
        assert_eq!(value("forty-five"), 45.0);
        assert_eq!(value("one hundred and six"), 106.0);
        assert_eq!(value("two dozen countries"), 24.0);
        assert_eq!(value("a hundred"), 100.0);
        assert_eq!(value("five and a half million fishes"), 5_500_000.0);
        assert_eq!(
            value("twenty-one trillion and three hundred"),
            21_000_000_000_300.0
        );
        assert_eq!(value("two hundred and two thousand"), 202_000.0);
        assert_eq!(value("three fifths"), 0.6);
        assert_eq!(value("one and a half"), 1.5);
        assert_eq!(value("two hundred point seventy-one"), 200.71);
        assert_eq!(value("half million eggs"), 500_000.0);
    }

    #[test]
    fn qualifiers_make_bands_and_bounds() {
        let about = one("about 700 new soldiers");
        assert!(about.low < 700.0 && about.high > 700.0);
        assert_eq!(about.qualifier.as_deref(), Some("about"));
        assert_eq!(about.unit.as_deref(), Some("soldiers"));
        assert_eq!(about.describe(), "~ 700");
        let more = one("more than 1 million Russian troops");
        assert!(more.low > 1e6 && more.high.is_infinite());
        assert_eq!(more.unit.as_deref(), Some("troops"));
        assert_eq!(more.describe(), "> 1000000");
        let up_to = one("up to 180,000 convicts");
        assert_eq!((up_to.low, up_to.high), (0.0, 180_000.0));
    }

    #[test]
    fn ranges() {
        let r = one("140,000 to 180,000 prisoners");
        assert_eq!((r.low, r.high), (140_000.0, 180_000.0));
        let r = one("about 300,000-350,000 prisoners");
        assert!(r.low <= 300_000.0 && r.high >= 350_000.0, "{r:?}");
        let r = one("between 20 and 30");
        assert_eq!((r.low, r.high), (20.0, 30.0));
    }

    #[test]
    fn every_qualifier_of_the_issue() {
        for text in [
            "about 700 soldiers",
            "some 300 residents",
            "nearly 30 villages",
            "almost 10 thousand people",
            "roughly 2,000 homes",
        ] {
            let c = one(text);
            assert!(
                c.low < c.stated && c.high > c.stated,
                "{text}: a band {c:?}"
            );
        }
        for text in [
            "over 260 people",
            "more than 1 million troops",
            "at least 60 strikes",
        ] {
            let c = one(text);
            assert!(
                c.high.is_infinite() && c.low >= c.stated,
                "{text}: a lower bound {c:?}"
            );
        }
        for text in [
            "up to 180,000 convicts",
            "less than 5 pct",
            "fewer than 20 ships",
        ] {
            let c = one(text);
            assert!(
                c.low == 0.0 && c.high <= c.stated,
                "{text}: an upper bound {c:?}"
            );
        }
    }

    #[test]
    fn ranges_and_money_ranges() {
        let r = one("from 195,000 to 400,000 rubles");
        assert_eq!(
            (r.low, r.high, r.kind),
            (195_000.0, 400_000.0, ClaimKind::Money)
        );
        assert_eq!(r.unit.as_deref(), Some("Russian ruble"));
        let r = one("300,000-350,000 prisoners");
        assert_eq!((r.low, r.high), (300_000.0, 350_000.0));
        let r = one("140 to 180 million");
        assert_eq!(
            (r.low, r.high),
            (140e6, 180e6),
            "the first bound shares the scale"
        );
    }

    #[test]
    fn one_amount_in_two_currencies_is_two_amounts_and_no_negative() {
        let claims = extract("a fine of 400,000 rubles ($4,000)");
        let amounts: Vec<(f64, &str)> = claims
            .iter()
            .map(|c| (c.stated, c.unit.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(amounts, [(400_000.0, "Russian ruble"), (4_000.0, "Dollar")]);
    }

    #[test]
    fn vague_magnitudes_as_intervals() {
        for (text, low, high) in [
            ("dozens of men", 24.0, 120.0),
            ("hundreds of soldiers", 200.0, 1000.0),
            ("thousands of soldiers", 2000.0, 10_000.0),
            ("tens of thousands of people", 20_000.0, 100_000.0),
            ("millions of dollars", 2e6, 1e7),
        ] {
            let c = one(text);
            assert!(
                c.low == low && c.high < high && c.high > high * 0.999,
                "{text}: {c:?}"
            );
        }
        assert!(
            extract("He scores well").is_empty(),
            "'scores' alone is a verb"
        );
    }

    #[test]
    fn vague_magnitudes_are_disjoint_intervals() {
        let hundreds = one("hundreds of soldiers");
        let thousands = one("thousands of soldiers");
        assert!(!hundreds.compatible(&thousands));
        let tens_of_thousands = one("tens of thousands of people");
        let tens_of_hundreds = one("tens of hundreds of individuals");
        assert!(
            !tens_of_thousands.compatible(&tens_of_hundreds),
            "{tens_of_thousands:?} {tens_of_hundreds:?}"
        );
    }

    #[test]
    fn percentages_and_money() {
        let p = one("nearly 30% less");
        assert_eq!(p.kind, ClaimKind::Percent);
        assert_eq!(one("135 percent").kind, ClaimKind::Percent);
        let m = one("$24,000");
        assert_eq!(
            (m.kind, m.value(), m.unit.as_deref()),
            (ClaimKind::Money, Some(24_000.0), Some("Dollar"))
        );
        let r = one("2.5 million rubles");
        assert_eq!(r.unit.as_deref(), Some("Russian ruble"));
    }

    #[test]
    fn years_dates_and_times_are_not_quantities() {
        assert_eq!(one("in 2024").kind, ClaimKind::Year);
        assert_eq!(one("on Dec. 31").kind, ClaimKind::Date);
        assert_eq!(one("January 3, 2025").kind, ClaimKind::Date);
        assert_eq!(one("at 9:57 AM").kind, ClaimKind::Time);
    }

    #[test]
    fn compatible_claims_overlap() {
        let a = one("about 10 thousand people");
        let b = one("9.6 thousand people");
        assert!(a.compatible(&b));
        assert_eq!(one("160,000").value(), Some(160_000.0));
        assert_eq!(one("160, 000 troops").value(), Some(160_000.0));
        assert_eq!(numbers("1, 234, 567").len(), 3);
        assert!(one("12.1 mln dlrs").compatible(&one("12,141,000 dlrs")));
        assert!(!one("13,000 dlrs").compatible(&one("131,000 dlrs")));
        assert!(!one("600 jobs").compatible(&one("500 jobs")));
        assert!(!one("about 10.5 mln cars").compatible(&one("about 9.3 mln cars")));
        assert!(!one("at least 60 strikes").compatible(&one("at least 92 strikes")));
        assert!(one("more than 550").compatible(&one("greater than 550")));
        assert!(!one("6.5 to 9.5 pct").compatible(&one("6.5 to 22.0 pct")));
        assert_eq!(extract("about 1,000 five-inch shells")[0].stated, 1000.0);
        assert_eq!(value("four years"), value("4 years"));
    }

    /// The values `numbers` reads in `text`.
    fn read(text: &str) -> Vec<f64> {
        numbers(text).into_iter().map(|(_, v)| v).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn signs() {
        assert_eq!(read("The answer is minus 5"), [-5.0]);
        assert_eq!(read("negative one"), [-1.0]);
        assert_eq!(read("-4/5"), [-0.8]);
        assert_eq!(read("- 1 4/5"), [-1.8]);
        assert_eq!(read("temperatures fell to -12 overnight"), [-12.0]);
        assert_eq!(
            read("SCP-173"),
            [173.0],
            "a dash glued to a word is no sign"
        );
        assert_eq!(
            read("20 - 30"),
            [20.0, 30.0],
            "a dash between numbers is no sign"
        );
        assert_eq!(read("fifty - two"), [52.0]);
    }

    #[test]
    fn word_fractions() {
        assert_eq!(read("a fifth"), [0.2]);
        assert_eq!(read("a hundred trillionths"), [1e-10]);
        assert!(close(read("three twenty-firsts")[0], 3.0 / 21.0));
        assert!(close(read("one hundred thirty fifths")[0], 100.0 / 35.0));
        assert!(close(read("one hundred thirty two fifths")[0], 132.0 / 5.0));
        assert!(close(read("one hundred and thirty fifths")[0], 26.0));
        assert_eq!(read("ninety - five hundred fifths"), [1900.0]);
        assert!(close(read("two and fifty-four hundredths")[0], 2.54));
        assert!(close(read("twenty and three fifths")[0], 20.6));
        assert_eq!(
            read("the fifth"),
            Vec::<f64>::new(),
            "an ordinal, no fraction"
        );
        assert_eq!(
            read("two millionth"),
            [2.0],
            "a singular ordinal takes only one"
        );
        assert_eq!(
            read("100 millionths"),
            [100.0],
            "figures are never numerators"
        );
        assert_eq!(read("in the first half"), Vec::<f64>::new());
        assert_eq!(read("more than half people"), [0.5]);
    }

    #[test]
    fn ratios() {
        assert_eq!(read("one in five adults"), [0.2]);
        assert!(close(read("1 over three")[0], 1.0 / 3.0));
        assert!(close(read("two out of five hundred")[0], 0.004));
        assert_eq!(
            read("$2000 over 3 years"),
            [2000.0, 3.0],
            "time is no denominator"
        );
        assert_eq!(read("12 out of 10"), [12.0, 10.0]);
        assert_eq!(
            read("killed 3 in 2024"),
            [3.0, 2024.0],
            "a year is no denominator"
        );
    }

    #[test]
    fn notation_powers_and_grouping() {
        assert_eq!(read(".08"), [0.08]);
        assert_eq!(read("1.3e6"), [1.3e6]);
        assert!(close(read("-127.32e13")[0], -1.2732e15));
        assert!(close(read("1.3x10^6")[0], 1.3e6));
        assert!(close(read("2.5^-1")[0], 0.4));
        assert_eq!(read("1 234 567"), [1_234_567.0]);
        assert_eq!(read("40\u{202f}000 and 40 000"), [40_000.0, 40_000.0]);
        assert_eq!(read("12,34,567.89"), [1_234_567.89]);
        assert_eq!(
            read("Exercises nrs. 22,24,26,31."),
            [22.0, 24.0, 26.0, 31.0]
        );
        assert_eq!(read("192.168.1.2"), [192.0, 168.0, 1.0, 2.0]);
        assert_eq!(read("the result is ⅔")[0], 2.0 / 3.0);
        assert_eq!(
            read("In 2019 200 people"),
            [2019.0, 200.0],
            "a year does not group"
        );
    }

    #[test]
    fn scales_and_shares_of_them() {
        assert_eq!(read("3 million and a half"), [3_500_000.0]);
        assert_eq!(read("one billion and a half million"), [1_000_500_000.0]);
        assert_eq!(read("five billion and three quarters"), [5_750_000_000.0]);
        assert_eq!(read("three quarters billion"), [750_000_000.0]);
        assert!(close(read("two thirds of a million")[0], 2e6 / 3.0));
        assert_eq!(read("quarter million"), [250_000.0]);
        assert_eq!(read("half a dozen"), [6.0]);
        assert_eq!(read("three lakh crore"), [3e12]);
        assert_eq!(read("2.33 k"), [2330.0]);
        assert_eq!(read("4 thousand 3 hundred and 21"), [4321.0]);
        assert_eq!(read("3 hundred and 2 hundred"), [300.0, 200.0]);
        assert_eq!(read("two hundred point zero three"), [200.03]);
        assert_eq!(read("3 dzs"), [36.0]);
        assert_eq!(read("Three hundred and thirty one"), [331.0]);
    }

    #[test]
    fn one_as_a_pronoun_is_no_number() {
        assert!(read("The one you mentioned is invalid").is_empty());
        assert!(read("Which one do you prefer?").is_empty());
        assert_eq!(read("one of the 3 towns"), [1.0, 3.0]);
    }

    #[test]
    fn money_in_every_notation() {
        let unit = |text: &str| {
            let c = one(text);
            assert_eq!(c.kind, ClaimKind::Money, "{text}");
            (c.stated, c.unit.unwrap())
        };
        assert_eq!(unit("for USD 200."), (200.0, "United States dollar".into()));
        assert_eq!(unit("115USD"), (115.0, "United States dollar".into()));
        assert_eq!(unit("USD115.5"), (115.5, "United States dollar".into()));
        assert_eq!(unit("30 MUSD"), (30e6, "United States dollar".into()));
        assert_eq!(
            unit("75 USD million"),
            (75e6, "United States dollar".into())
        );
        assert_eq!(unit("mxn$ 15"), (15.0, "Mexican peso".into()));
        assert_eq!(
            unit("u.s $ 100,000,000"),
            (1e8, "United States dollar".into())
        );
        assert_eq!(unit("100元"), (100.0, "Chinese yuan".into()));
        assert_eq!(unit("a 12-cent dividend"), (12.0, "Cent".into()));
        assert!(close(unit("3 dollars 50 cents").0, 3.5));
        assert!(close(
            unit("thirteen dollars and forty-five cents").0,
            13.45
        ));
        assert!(close(unit("c $ 100 and fifty.").0, 100.5));
        // "a" before "$" is an article, not Australia.
        let text = "won a $48.2 million army contract";
        let c = one(text);
        assert_eq!(&text[c.amount_span.0..c.amount_span.1], "$48.2 million");
        assert_eq!(c.unit.as_deref(), Some("Dollar"));
        // "$5 million and 300 jobs": no cents after millions.
        assert_eq!(extract("$5 million and 300 jobs")[0].stated, 5e6);
    }

    #[test]
    fn bounds_before_after_and_in_pairs() {
        let c = one("more than 10 and less than 40");
        assert!(
            c.low > 10.0 && c.low < 10.001 && c.high < 40.0 && c.high > 39.999,
            "{c:?}"
        );
        let c = one("at most 100 and at least 20 apples");
        assert_eq!((c.low, c.high), (20.0, 100.0));
        let c = one("higher or equal than one hundred, lower or equal than three hundred");
        assert_eq!((c.low, c.high), (100.0, 300.0));
        assert_eq!(
            extract("More than 40 and less than 10").len(),
            2,
            "an empty interval stays two claims"
        );
        let c = one("five hundred or more");
        assert_eq!((c.low, c.high), (500.0, f64::INFINITY));
        let c = one("equal to 5000 or less");
        assert_eq!((c.low, c.high), (0.0, 5000.0));
        assert_eq!(extract("equal to 5000 or more than 4500").len(), 2);
        let c = one("less than 5000 or equal");
        assert_eq!(c.high, 5000.0);
        let c = one("x >= 30");
        assert_eq!((c.low, c.high), (30.0, f64::INFINITY));
        let c = one("when <-30");
        assert!(c.high < -30.0 && c.low == f64::NEG_INFINITY, "{c:?}");
        assert!(extract("<>30").iter().all(|c| c.qualifier.is_none()));
        let c = one("equals 20");
        assert_eq!(
            (c.low, c.high, c.qualifier.as_deref()),
            (20.0, 20.0, Some("equals"))
        );
        let c = one("about -10 degrees");
        assert!(
            c.low < -10.0 && c.high > -10.0,
            "a band around a negative number: {c:?}"
        );
    }

    #[test]
    fn codes_phones_dates_and_addresses_are_no_quantities() {
        assert_eq!(one("call +1-222-2222-2222 now").kind, ClaimKind::Code);
        assert_eq!(one("1-222-2222/2222").kind, ClaimKind::Code);
        assert_eq!(one("meet on 5/17/2018?").kind, ClaimKind::Date);
        assert!(extract("see https://www.test.com/search?q=30%25%2020%").is_empty());
        for code in [
            "A300-600R jets",
            "15 Boeing 767-300 planes",
            "the G-5 meeting",
            "CF6-80C2",
            "GE CFG-80C2 engines",
        ] {
            let claims = extract(code);
            let last = claims.last().unwrap_or_else(|| panic!("{code}: nothing"));
            assert_eq!(last.kind, ClaimKind::Code, "{code}: {claims:?}");
        }
        assert!(
            extract("Boeing Co <BA> 767 jets")
                .iter()
                .all(|c| c.qualifier.is_none()),
            "a ticker's bracket is no comparison"
        );
        assert_eq!(
            one("约300名居民").value(),
            Some(300.0),
            "CJK words touch their figures"
        );
        let change = extract("fell by 5 to 761 this week");
        assert_eq!(
            change.len(),
            2,
            "a change and a level, not a range: {change:?}"
        );
        assert!(
            extract("Under one agreement")
                .iter()
                .all(|c| c.qualifier.is_none())
        );
        let huge = format!("0e310 and 9^999 and a{}", " trillion".repeat(30));
        assert!(
            extract(&huge)
                .iter()
                .all(|c| c.low.is_finite() && c.high.is_finite())
        );
        assert_eq!(one("a 45-year-old man").kind, ClaimKind::Age);
        assert_eq!(one("aged 60").kind, ClaimKind::Age);
        assert_eq!(one("she is 30 years old").kind, ClaimKind::Age);
        assert_eq!(one("for 30 years").kind, ClaimKind::Quantity);
        assert_eq!(one("percent of 10").kind, ClaimKind::Percent);
        assert_eq!(
            extract("a small percent of 300 residents")[0].kind,
            ClaimKind::Quantity
        );
    }

    #[test]
    fn signs_and_word_fractions_do_not_make_conflicts_between_copies() {
        assert!(
            one("minus 0.10 pct")
                .magnitude()
                .compatible(&one("0.10 pct"))
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// 1234567 -> "1,234,567".
        fn grouped(n: u64) -> String {
            let digits = n.to_string();
            let mut out = String::new();
            for (k, c) in digits.chars().enumerate() {
                if k > 0 && (digits.len() - k).is_multiple_of(3) {
                    out.push(',');
                }
                out.push(c);
            }
            out
        }

        /// Every word and phrase this parser's source spells out (number words, qualifiers,
        /// units, currencies, month names), as the vocabulary of generated sentences.
        fn parser_vocabulary() -> Vec<String> {
            let source = include_str!("claims.rs");
            let mut words: Vec<String> = source
                .split('"')
                .skip(1)
                .step_by(2)
                .filter(|w| !w.is_empty() && w.len() <= 30 && !w.contains(['{', '\\', '\n']))
                .map(String::from)
                .collect();
            words.sort();
            words.dedup();
            words
        }

        proptest! {
            #[test]
            fn skipping_far_positions_finds_every_claim_trying_each_would(
                picks in proptest::collection::vec((0usize..10_000, 0usize..4), 0..40)
            ) {
                static VOCABULARY: std::sync::LazyLock<Vec<String>> =
                    std::sync::LazyLock::new(parser_vocabulary);
                let filler = ["the", "said", "of", "and", "a", "to", "in", "troops", "on", "company", "$", "%", "-", ",", "."];
                let figures = ["3", "1,250", "2.5", "1987", "10th", "½", "40", "7"];
                let mut text = String::new();
                for (pick, source) in picks {
                    let word = match source {
                        0 | 1 => VOCABULARY[pick % VOCABULARY.len()].as_str(),
                        2 => filler[pick % filler.len()],
                        _ => figures[pick % figures.len()],
                    };
                    text.push_str(word);
                    text.push(' ');
                }
                prop_assert_eq!(extract(&text), extract_with(&text, false), "{}", text);
            }

            #[test]
            fn formatted_figures_round_trip(n in 0u64..10_000_000_000, cents in 0u32..100) {
                let text = format!("They counted {} troops and paid ${}.{:02} each.", grouped(n), grouped(n), cents);
                let claims = extract(&text);
                let figures: Vec<f64> = claims
                    .iter()
                    .filter(|c| c.kind != ClaimKind::Year)
                    .map(|c| c.stated)
                    .collect();
                let expected = n as f64 + cents as f64 / 100.0;
                prop_assert!(figures.iter().any(|v| (*v - n as f64).abs() < 1e-6), "{text}: {claims:?}");
                prop_assert!(figures.iter().any(|v| (*v - expected).abs() < 1e-6 * expected.max(1.0)), "{text}: {claims:?}");
            }

            #[test]
            fn every_claim_lies_inside_its_text(text in "[a-z0-9 ,.$%-]{0,80}") {
                for claim in extract(&text) {
                    prop_assert!(claim.span.0 <= claim.span.1 && claim.span.1 <= text.len());
                    prop_assert!(claim.amount_span.0 >= claim.span.0 && claim.amount_span.1 <= claim.span.1);
                    prop_assert_eq!(&text[claim.span.0..claim.span.1], claim.text.as_str());
                    prop_assert!(claim.low <= claim.high);
                }
            }
        }
    }
}
