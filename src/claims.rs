//! Claims stage: text in, the numbers it states out, each as an interval with what it counts.
//!
//! A scanner splits text into words, figures and symbols with byte spans; a grammar, tried at
//! each position and taking the longest match, reads: figures with separators, decimals and
//! scale suffixes ("1,020", "2.5", "5.93 mln", "10M"); number words ("forty-five", "one hundred
//! and six", "five and a half million", "two dozen", "two hundred point seventy-one") and word
//! fractions ("three fifths"); qualifiers that make a band or a bound ("about", "more than", "at
//! least", "up to"); ranges ("140,000 to 180,000", "between 20 and 30", "300,000-350,000");
//! vague magnitudes ("hundreds", "tens of thousands") as intervals; percentages; and amounts of
//! money, by symbol or currency name. Years, dates, times and ordinals are typed as such, not
//! as quantities. The grammar follows the cases of Microsoft's Recognizers-Text English number
//! specifications, against which `examples/conformance.rs` measures it.

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
    /// Lower-case text.
    lower: String,
    /// Whitespace before the token.
    spaced: bool,
}

fn scan(text: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    let mut k = 0;
    let mut spaced = true;
    while k < bytes.len() {
        let (start, c) = bytes[k];
        if c.is_whitespace() {
            spaced = true;
            k += 1;
            continue;
        }
        let mut j = k + 1;
        let kind = if c.is_ascii_digit() {
            // Digits, with separators and decimal points between digits, and letters glued on.
            while j < bytes.len() {
                let d = bytes[j].1;
                let next_digit = bytes.get(j + 1).is_some_and(|x| x.1.is_ascii_digit());
                if d.is_ascii_digit() || ((d == ',' || d == '.') && next_digit) {
                    j += 1;
                } else {
                    break;
                }
            }
            while j < bytes.len() && bytes[j].1.is_alphabetic() {
                j += 1;
            }
            TokenKind::Figure
        } else if c.is_alphabetic() {
            while j < bytes.len() && (bytes[j].1.is_alphabetic() || bytes[j].1 == '\'') {
                j += 1;
            }
            TokenKind::Word
        } else {
            TokenKind::Symbol
        };
        let end = bytes.get(j).map_or(text.len(), |x| x.0);
        let slice = &text[start..end];
        tokens.push(Token {
            start,
            end,
            text: slice,
            kind,
            lower: slice.to_lowercase(),
            spaced,
        });
        spaced = false;
        k = j;
    }
    tokens
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
        "hundred" => 1e2,
        "thousand" => 1e3,
        "lakh" | "lakhs" => 1e5,
        "million" | "mln" | "mn" | "mil" => 1e6,
        "crore" | "crores" => 1e7,
        "billion" | "bln" | "bn" => 1e9,
        "trillion" | "tln" => 1e12,
        _ => return None,
    })
}

/// Denominators spelled as ordinals: "third" -> 3, "fifths" -> 5.
fn fraction_word(word: &str) -> Option<f64> {
    let word = word.strip_suffix('s').unwrap_or(word);
    Some(match word {
        "half" | "halve" => 2.0,
        "third" => 3.0,
        "fourth" | "quarter" => 4.0,
        "fifth" => 5.0,
        "sixth" => 6.0,
        "seventh" => 7.0,
        "eighth" => 8.0,
        "ninth" => 9.0,
        "tenth" => 10.0,
        "eleventh" => 11.0,
        "twelfth" => 12.0,
        "hundredth" => 100.0,
        "thousandth" => 1000.0,
        "millionth" => 1e6,
        _ => return None,
    })
}

/// A figure token: "1,020", "2.5", "10M", "1.2b", "2mil". Digits glued to other letters ("29km")
/// are no number.
fn figure_value(lower: &str) -> Option<f64> {
    let digits_end = lower
        .find(|c: char| c.is_alphabetic())
        .unwrap_or(lower.len());
    let (digits, suffix) = lower.split_at(digits_end);
    let scale = match suffix {
        "" => 1.0,
        "k" => 1e3,
        "m" | "mil" | "mln" | "mn" => 1e6,
        "b" | "bn" | "bln" | "g" => 1e9,
        "t" | "tn" => 1e12,
        _ => return None,
    };
    parse_digits(digits).map(|v| v * scale)
}

/// "1,674,200.5" -> 1674200.5; "1,3" -> 1.3 (a decimal comma, when the groups are not of three).
fn parse_digits(digits: &str) -> Option<f64> {
    if digits.contains(',') {
        let (integer, _) = digits.split_once('.').unwrap_or((digits, ""));
        let groups: Vec<&str> = integer.split(',').collect();
        let grouped = groups[1..].iter().all(|g| g.len() == 3) && groups[0].len() <= 3;
        if grouped {
            return digits.replace(',', "").parse().ok();
        }
        if groups.len() == 2 && !digits.contains('.') {
            return format!("{}.{}", groups[0], groups[1]).parse().ok();
        }
        return None;
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

/// Reads a cardinal number starting at token `i`: figures and number words with scales, "and",
/// "a" and "half", a decimal "point", and a fraction in words.
fn number(tokens: &[Token], i: usize) -> Option<Number> {
    let word = |k: usize| {
        tokens
            .get(k)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.lower.as_str())
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
    // "a hundred", "a dozen", "a half", "half a million": "a" counts as one only before these.
    loop {
        if let Some(w) = word(k) {
            if w == "a" || w == "an" {
                let next = word(k + 1);
                if next.is_some_and(|n| scale_word(n).is_some() || n == "dozen" || n == "quarter") {
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
                        c % 100.0 == 0.0
                            || (20.0..100.0).contains(&c) && c % 10.0 == 0.0 && v < 10.0
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
                // "forty-five"
                if symbol(k, "-")
                    && !tokens[k].spaced
                    && word(k + 1)
                        .and_then(unit_word)
                        .is_some_and(|u| (1.0..10.0).contains(&u))
                {
                    current = Some(
                        current.unwrap_or(0.0)
                            + unit_word(word(k + 1).unwrap_or("")).unwrap_or(0.0),
                    );
                    k += 2;
                }
                continue;
            }
            if w == "dozen" || w == "dozens" {
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
                if !(used || w == "hundred" || w == "thousand") {
                    break; // a bare "million" is no number
                }
                if scale == 100.0 {
                    current = Some(if c == 0.0 { 100.0 } else { c * 100.0 });
                } else {
                    total += c * scale;
                    current = None;
                }
                k += 1;
                used = true;
                scaled = true;
                continue;
            }
            if w == "half" && !used {
                // "half million", "half a million"
                let mut n = k + 1;
                if word(n) == Some("a") {
                    n += 1;
                }
                if let Some(scale) = word(n).and_then(scale_word) {
                    return Some(Number {
                        value: 0.5 * scale,
                        end: n + 1,
                        scaled: true,
                    });
                }
                break;
            }
            if w == "and" && used {
                // "one hundred and six", "one and a half", "three and one fourth"
                if let Some(rest) = fraction(tokens, k + 1) {
                    let base = total + current.unwrap_or(0.0);
                    let end = rest.end;
                    // "five and a half million"
                    if let Some(scale) = word(end).and_then(scale_word) {
                        return Some(Number {
                            value: (base + rest.value) * scale,
                            end: end + 1,
                            scaled: true,
                        });
                    }
                    return Some(Number {
                        value: base + rest.value,
                        end,
                        scaled,
                    });
                }
                let words_follow =
                    word(k + 1).is_some_and(|n| unit_word(n).is_some() || tens_word(n).is_some());
                // "4 thousand 3 hundred and 21"; but "20 and 30" are two numbers.
                if words_follow || is_figure(k + 1) && scaled {
                    k += 1;
                    continue;
                }
                break;
            }
            if w == "point" && used {
                // "two hundred point seventy-one", "five point five"
                if let Some(after) = number(tokens, k + 1) {
                    let digits = after.value.to_string();
                    let fraction: f64 = format!("0.{}", digits.replace('.', ""))
                        .parse()
                        .unwrap_or(0.0);
                    return Some(Number {
                        value: total + current.unwrap_or(0.0) + fraction,
                        end: after.end,
                        scaled,
                    });
                }
                break;
            }
            // A fraction: "three fifths", "one eighth".
            if let (true, Some(denominator)) = (used, fraction_word(w)) {
                let numerator = total + current.unwrap_or(0.0);
                if numerator > 0.0 && w != "quarter" || w == "quarters" {
                    return Some(Number {
                        value: numerator / denominator,
                        end: k + 1,
                        scaled: false,
                    });
                }
            }
            break;
        }
        if is_figure(k) && !used_figure(tokens, i, k) {
            let Some(v) = figure_value(&tokens[k].lower) else {
                break;
            };
            if current.is_some() {
                break; // "423 0000": two numbers
            }
            if tokens[k].lower.ends_with(|c: char| c.is_alphabetic()) {
                scaled = true;
            }
            current = Some(v);
            k += 1;
            used = true;
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
            {
                current = Some(v * 1000.0 + figure_value(&tokens[k + 1].lower).unwrap_or(0.0));
                k += 2;
            }
            // A fraction in figures: "4/5", "1 4/5".
            if symbol(k, "/") && !tokens[k].spaced && is_figure(k + 1) {
                if let Some(d) = figure_value(&tokens[k + 1].lower).filter(|d| *d != 0.0) {
                    current = Some(v / d);
                    k += 2;
                }
            } else if is_figure(k) && symbol(k + 1, "/") && is_figure(k + 2) {
                let n = figure_value(&tokens[k].lower);
                let d = figure_value(&tokens[k + 2].lower).filter(|d| *d != 0.0);
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
            .map(|t| t.lower.as_str())
    };
    let numerator = match word(i)? {
        "a" | "an" | "one" => 1.0,
        w => unit_word(w)?,
    };
    let denominator = fraction_word(word(i + 1)?)?;
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
            .map(|t| t.lower.as_str())
    };
    let plural = |w: &str| -> Option<f64> {
        Some(match w {
            "dozens" => 12.0,
            "scores" => 20.0,
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
        "$" | "dollar" | "dollars" | "dlr" | "dlrs" | "usd" => "Dollar",
        "€" | "euro" | "euros" | "eur" => "Euro",
        "£" | "pound" | "pounds" | "stg" | "sterling" | "gbp" => "Pound",
        "¥" | "yen" | "jpy" => "Japanese yen",
        "yuan" | "renminbi" | "rmb" | "cny" => "Chinese yuan",
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
        "lira" | "liras" | "lire" => "Lira",
        "guilder" | "guilders" => "Guilder",
        "mark" | "marks" | "dm" => "Mark",
        _ => return None,
    })
}

/// A country prefix before a currency symbol ("C$", "HK $", "US $"): the token where the amount
/// starts, and the unit it names.
fn currency_prefix_start(tokens: &[Token], at: usize) -> usize {
    let symbol_at = tokens
        .get(at)
        .is_some_and(|t| t.kind == TokenKind::Symbol && currency(&t.lower).is_some());
    if symbol_at
        && at > 0
        && tokens[at - 1].kind == TokenKind::Word
        && dollar_country(&tokens[at - 1].lower).is_some()
    {
        return at - 1;
    }
    at
}

/// Dollars by country prefix: "c" -> Canadian dollar.
fn dollar_country(prefix: &str) -> Option<&'static str> {
    Some(match prefix {
        "c" | "ca" | "can" => "Canadian dollar",
        "a" | "au" | "aus" => "Australian dollar",
        "hk" => "Hong Kong dollar",
        "us" => "United States dollar",
        "nz" => "New Zealand dollar",
        "s" => "Singapore dollar",
        _ => return None,
    })
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
    Band,
    AtLeast,
    MoreThan,
    AtMost,
    LessThan,
}

const QUALIFIERS: &[(&str, Bound)] = &[
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

fn qualifier(tokens: &[Token], i: usize) -> Option<(Bound, usize, &'static str)> {
    let mut best: Option<(Bound, usize, &'static str)> = None;
    for &(phrase, bound) in QUALIFIERS {
        let words: Vec<&str> = phrase.split(' ').collect();
        let matches = words.iter().enumerate().all(|(k, w)| {
            tokens
                .get(i + k)
                .is_some_and(|t| t.kind == TokenKind::Word && t.lower == *w)
        });
        if matches && best.is_none_or(|(_, end, _)| i + words.len() > end) {
            best = Some((bound, i + words.len(), phrase));
        }
    }
    best
}

/// Every number in `text`, bare: its byte span and value, without qualifiers, ranges, units or
/// typing (Recognizers-Text's NumberModel).
pub fn numbers(text: &str) -> Vec<((usize, usize), f64)> {
    let tokens = scan(text);
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
    let tokens = scan(text);
    let mut claims = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
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

fn claim_at(text: &str, tokens: &[Token], i: usize) -> Option<(Claim, usize)> {
    let word = |k: usize| {
        tokens
            .get(k)
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.lower.as_str())
    };
    let symbol = |k: usize, s: &[&str]| {
        tokens
            .get(k)
            .is_some_and(|t| t.kind == TokenKind::Symbol && s.contains(&t.text))
    };

    // Qualifier or range opener, then an optional currency symbol, then a number.
    let mut k = i;
    let mut bound = None;
    let mut qualifier_text = None;
    let mut between = false;
    if let Some((b, end, phrase)) = qualifier(tokens, k) {
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
    if let Some(t) = tokens.get(k).filter(|t| t.kind == TokenKind::Symbol)
        && let Some(c) = currency(&t.lower)
    {
        let country = k
            .checked_sub(1)
            .filter(|&p| p >= i && tokens[p].kind == TokenKind::Word)
            .and_then(|p| dollar_country(&tokens[p].lower));
        unit = Some(country.unwrap_or(c).to_string());
        kind = ClaimKind::Money;
        k += 1;
    } else if let Some(w) = word(k).and_then(dollar_country)
        && tokens.get(k + 1).is_some_and(|t| t.text == "$")
    {
        unit = Some(w.to_string());
        kind = ClaimKind::Money;
        k += 2;
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
    let start_token = i;
    let amount_token = if unit.is_some() { before_currency } else { k };
    let amount_token = currency_prefix_start(tokens, amount_token).max(i);
    let figure_only = tokens[k].kind == TokenKind::Figure && end == k + 1;

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
            || symbol(t, &["-", "–", "—"])
    };
    let ranged = bound.is_none_or(|b| b == Bound::Band);
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
    } else if let Some(c) = tokens.get(end).and_then(|t| currency(&t.lower)) {
        if unit.is_none() {
            unit = Some(c.to_string());
            kind = ClaimKind::Money;
            end += 1;
        }
    }
    if unit.is_none() && kind == ClaimKind::Quantity {
        unit = counted_noun(tokens, end);
    }

    let stated = low;
    match bound {
        Some(Bound::Band) => {
            low *= 1.0 - BAND;
            high *= 1.0 + BAND;
        }
        Some(Bound::AtLeast) => high = f64::INFINITY,
        Some(Bound::MoreThan) => {
            low = just_above(low);
            high = f64::INFINITY;
        }
        Some(Bound::AtMost) => low = 0.0,
        Some(Bound::LessThan) => {
            high = just_below(high);
            low = 0.0;
        }
        None => {}
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
        if SKIP.contains(&t.lower.as_str())
            || t.text.starts_with(char::is_uppercase) && t.lower.ends_with("an")
        {
            continue;
        }
        if crate::text::is_stopword(crate::text::token_of(&t.lower)) {
            return None;
        }
        return Some(t.lower.clone());
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

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// 1234567 -> "1,234,567".
        fn grouped(n: u64) -> String {
            let digits = n.to_string();
            let mut out = String::new();
            for (k, c) in digits.chars().enumerate() {
                if k > 0 && (digits.len() - k) % 3 == 0 {
                    out.push(',');
                }
                out.push(c);
            }
            out
        }

        proptest! {
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
