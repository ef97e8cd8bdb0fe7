//! The text as the parser reads it: the original characters beside a normalised copy of the
//! same length, so that positions found in the copy cut the original, and what is proposed to
//! the user is the wording they pasted. Also the small scanners every part uses: clauses at the
//! top level (never inside quotes or brackets), numbered markers, Chinese numerals.

/// The pasted text, char by char, and its normalised twin.
pub(super) struct Text {
    orig: Vec<char>,
    pub(super) n: Vec<char>,
}

/// Characters that end a sentence once normalised.
pub(super) const SENTENCE_END: [char; 3] = ['。', '！', '？'];

impl Text {
    pub(super) fn new(input: &str) -> Text {
        let orig: Vec<char> = input.chars().collect();
        let n = (0..orig.len()).map(|i| normalise(&orig, i)).collect();
        Text { orig, n }
    }

    pub(super) fn len(&self) -> usize {
        self.n.len()
    }

    /// The original wording of `a..b`, without the spaces and separators at its ends.
    pub(super) fn out(&self, a: usize, b: usize) -> String {
        let b = b.min(self.len());
        if a >= b {
            return String::new();
        }
        let (mut a, mut b) = (a, b);
        while a < b && is_trim(self.n[a]) {
            a += 1;
        }
        while b > a && is_trim(self.n[b - 1]) {
            b -= 1;
        }
        self.orig[a..b].iter().collect()
    }

    /// The normalised text of `a..b`, for matching.
    pub(super) fn s(&self, a: usize, b: usize) -> String {
        self.n[a.min(self.len())..b.min(self.len())]
            .iter()
            .collect()
    }

    pub(super) fn starts_with(&self, at: usize, pat: &str) -> bool {
        (at..)
            .zip(pat.chars())
            .all(|(i, c)| self.n.get(i) == Some(&c))
    }

    /// The first position at or after `from` (and before `to`) where `pat` occurs.
    pub(super) fn find(&self, pat: &str, from: usize, to: usize) -> Option<usize> {
        let to = to.min(self.len());
        (from..to).find(|&i| self.starts_with(i, pat))
    }

    /// The first position at or after `from` (and before `to`) where any of `pats` occurs, and
    /// which.
    pub(super) fn find_any<'p>(
        &self,
        pats: &[&'p str],
        from: usize,
        to: usize,
    ) -> Option<(usize, &'p str)> {
        let to = to.min(self.len());
        (from..to).find_map(|i| {
            pats.iter()
                .find(|p| self.starts_with(i, p))
                .map(|p| (i, *p))
        })
    }

    pub(super) fn skip_space(&self, mut i: usize, to: usize) -> usize {
        while i < to.min(self.len()) && self.n[i].is_whitespace() {
            i += 1;
        }
        i
    }

    /// The paragraph (line) holding `at`: its start and end (before the line break).
    pub(super) fn line(&self, at: usize) -> (usize, usize) {
        let a = (0..at.min(self.len()))
            .rev()
            .find(|&i| self.n[i] == '\n')
            .map_or(0, |i| i + 1);
        let b = (at..self.len())
            .find(|&i| self.n[i] == '\n')
            .unwrap_or(self.len());
        (a, b)
    }

    /// Cuts `a..b` at the top-level occurrences of `seps` (never inside quotes or brackets, so
    /// that “不忘初心、牢记使命” or 《条例》 stay whole); the separators are left out.
    pub(super) fn split(&self, a: usize, b: usize, seps: &[char]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut depth = Depth::default();
        let mut start = a;
        for i in a..b.min(self.len()) {
            let c = self.n[i];
            if depth.top() && seps.contains(&c) {
                out.push((start, i));
                start = i + 1;
            } else {
                depth.feed(c);
            }
        }
        out.push((start, b.min(self.len())));
        out.retain(|&(x, y)| !self.out(x, y).is_empty());
        out
    }

    /// The first top-level occurrence of one of `seps` in `a..b`.
    pub(super) fn find_top(&self, a: usize, b: usize, seps: &[char]) -> Option<usize> {
        let mut depth = Depth::default();
        for i in a..b.min(self.len()) {
            let c = self.n[i];
            if depth.top() && seps.contains(&c) {
                return Some(i);
            }
            depth.feed(c);
        }
        None
    }

    /// Whether `at` begins a clause: the start of the text or a line, or right after a
    /// separator (spaces between are allowed).
    pub(super) fn clause_start(&self, at: usize, with_comma: bool) -> bool {
        let mut i = at;
        while i > 0 {
            let c = self.n[i - 1];
            if c == ' ' || c == '\t' {
                i -= 1;
                continue;
            }
            return matches!(c, '\n' | '。' | '；' | '：' | '！' | '？')
                || (with_comma && c == '，');
        }
        true
    }

    /// The sentences of `a..b` (cut at 。！？ and line breaks), each without its end mark.
    pub(super) fn sentences(&self, a: usize, b: usize) -> Vec<(usize, usize)> {
        let mut ends = SENTENCE_END.to_vec();
        ends.push('\n');
        self.split(a, b, &ends)
    }
}

/// Quote and bracket nesting, so that separators inside them do not cut.
#[derive(Default)]
struct Depth {
    open: i32,
    ascii_quote: bool,
}

impl Depth {
    fn top(&self) -> bool {
        self.open <= 0 && !self.ascii_quote
    }

    fn feed(&mut self, c: char) {
        match c {
            '“' | '‘' | '《' | '（' | '「' | '『' | '【' | '〈' => self.open += 1,
            '”' | '’' | '》' | '）' | '」' | '』' | '】' | '〉' => {
                self.open = (self.open - 1).max(0)
            }
            '"' => self.ascii_quote = !self.ascii_quote,
            // A quote or bracket left open never swallows the rest of a paragraph.
            '\n' => *self = Depth::default(),
            _ => {}
        }
    }
}

fn is_trim(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '，' | '；' | '。' | '：' | '、' | '！' | '？' | '—' | '…' | '·'
        )
}

/// One character of the normalised copy: ASCII and full-width punctuation and digits read
/// alike, a full stop typed as "." after Chinese read as "。". One char for one char, always.
fn normalise(orig: &[char], i: usize) -> char {
    let c = orig[i];
    match c {
        ',' | '，' | '﹐' => '，',
        ';' | '﹔' => '；',
        ':' | '﹕' => '：',
        '(' => '（',
        ')' => '）',
        '!' => '！',
        '?' => '？',
        '､' | '﹑' => '、',
        '．' => '.',
        '\r' => '\n',
        '\u{3000}' | '\u{a0}' | '\t' => ' ',
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '.' => {
            // "1." and "2020.3.25" keep their dot; a dot closing Chinese text is a full stop.
            let prev = i.checked_sub(1).map(|p| orig[p]);
            match prev {
                Some(p) if p.is_ascii_alphanumeric() || p.is_whitespace() => '.',
                Some(p) if ('０'..='９').contains(&p) => '.',
                None => '.',
                _ => '。',
            }
        }
        _ => c,
    }
}

/// The value of a number written in Chinese numerals (一, 十二, 二十五, 二〇二〇) or digits.
pub(super) fn number(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok();
    }
    let digit = |c: char| -> Option<u32> {
        Some(match c {
            '〇' | '零' | 'O' | 'o' | '○' => 0,
            '一' => 1,
            '二' | '两' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            _ => return None,
        })
    };
    let chars: Vec<char> = s.chars().collect();
    if let Some(pos) = chars.iter().position(|&c| c == '十') {
        let tens = match pos {
            0 => 1,
            1 => digit(chars[0])?,
            _ => return None,
        };
        let ones = match chars.len() - pos - 1 {
            0 => 0,
            1 => digit(chars[pos + 1])?,
            _ => return None,
        };
        return Some(tens * 10 + ones);
    }
    chars
        .iter()
        .try_fold(0u32, |acc, &c| Some(acc * 10 + digit(c)?))
}

/// Whether `c` may be part of a number in either script.
pub(super) fn is_num_char(c: char) -> bool {
    c.is_ascii_digit() || "〇零一二两三四五六七八九十○".contains(c)
}

/// The kinds of numbered marker feedback texts use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    /// 一是 / 二是
    Shi,
    /// 一要 / 二要
    Yao,
    /// 第一， / 第二，
    Di,
    /// 一、 / 二、
    CnDun,
    /// （一） / （二）
    CnParen,
    /// 1. / 1、 / 1．
    Dot,
    /// （1） / (1)
    NumParen,
    /// 1） / 1)
    NumHalf,
    /// ① ②
    Circle,
}

/// A numbered marker at `at`: its style, its number and where the text after it begins.
pub(super) fn marker(t: &Text, at: usize) -> Option<(Style, u32, usize)> {
    let n = &t.n;
    let get = |i: usize| n.get(i).copied();
    let c = get(at)?;
    if ('①'..='⑳').contains(&c) {
        return Some((Style::Circle, c as u32 - '①' as u32 + 1, at + 1));
    }
    if c == '（' {
        let mut j = at + 1;
        while get(j).is_some_and(is_num_char) && j - at <= 3 {
            j += 1;
        }
        if j > at + 1 && get(j) == Some('）') {
            let digits = t.s(at + 1, j);
            let style = if digits.chars().all(|c| c.is_ascii_digit()) {
                Style::NumParen
            } else {
                Style::CnParen
            };
            return Some((style, number(&digits)?, j + 1));
        }
        return None;
    }
    if c == '第' {
        let mut j = at + 1;
        while get(j).is_some_and(|c| is_num_char(c) && !c.is_ascii_digit()) && j - at <= 3 {
            j += 1;
        }
        if j > at + 1 && matches!(get(j), Some('，' | '、' | '是')) {
            return Some((Style::Di, number(&t.s(at + 1, j))?, j + 1));
        }
        return None;
    }
    if c.is_ascii_digit() {
        let mut j = at;
        while get(j).is_some_and(|c| c.is_ascii_digit()) && j - at < 2 {
            j += 1;
        }
        let num = number(&t.s(at, j))?;
        return match get(j) {
            // "1.5亿元" or "2020.3" is a number, not a marker.
            Some('.') if !get(j + 1).is_some_and(|c| c.is_ascii_digit()) => {
                Some((Style::Dot, num, j + 1))
            }
            Some('、') => Some((Style::Dot, num, j + 1)),
            Some('）') => Some((Style::NumHalf, num, j + 1)),
            _ => None,
        };
    }
    if is_num_char(c) && c != '〇' && c != '零' && c != '○' {
        let mut j = at;
        while get(j).is_some_and(|c| is_num_char(c) && !c.is_ascii_digit()) && j - at < 3 {
            j += 1;
        }
        let num = number(&t.s(at, j))?;
        return match get(j) {
            Some('是') => Some((Style::Shi, num, j + 1)),
            Some('要') => Some((Style::Yao, num, j + 1)),
            Some('、') => Some((Style::CnDun, num, j + 1)),
            _ => None,
        };
    }
    None
}

/// A marker that stands where a list item may begin.
pub(super) fn marker_at_clause(t: &Text, at: usize) -> Option<(Style, u32, usize)> {
    let m = marker(t, at)?;
    // Spoken forms (一是, 一要, 第一) also follow a comma; written headings do not.
    let with_comma = matches!(m.0, Style::Shi | Style::Yao | Style::Di);
    t.clause_start(at, with_comma).then_some(m)
}

/// One numbered item of a run: where its marker begins and where its text begins.
#[derive(Debug, Clone, Copy)]
pub(super) struct Numbered {
    pub(super) marker: usize,
    pub(super) text: usize,
}

/// The run of markers 1, 2, 3 … of one style in `a..b`, starting with the first "1" found at
/// or after `a` (only if it lies before `first_by`). Each next number must follow in the same
/// style; the run stops at the first gap.
pub(super) fn run(t: &Text, a: usize, b: usize, first_by: usize) -> Option<(Style, Vec<Numbered>)> {
    let b = b.min(t.len());
    let (first, style, text) = (a..b.min(first_by)).find_map(|i| match marker_at_clause(t, i) {
        Some((style, 1, text)) => Some((i, style, text)),
        _ => None,
    })?;
    let mut items = vec![Numbered {
        marker: first,
        text,
    }];
    let mut i = text;
    while i < b {
        match marker_at_clause(t, i) {
            Some((s, num, text)) if s == style && num as usize == items.len() + 1 => {
                items.push(Numbered { marker: i, text });
                i = text;
            }
            _ => i += 1,
        }
    }
    Some((style, items))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_both_scripts() {
        assert_eq!(number("一"), Some(1));
        assert_eq!(number("十"), Some(10));
        assert_eq!(number("十二"), Some(12));
        assert_eq!(number("二十五"), Some(25));
        assert_eq!(number("二〇二〇"), Some(2020));
        assert_eq!(number("12"), Some(12));
        assert_eq!(number("十二三"), None);
    }

    #[test]
    fn normalised_copy_keeps_positions() {
        let t = Text::new("主要是:甲,乙;丙。１．丁.");
        assert_eq!(t.s(0, t.len()), "主要是：甲，乙；丙。1.丁。");
        assert_eq!(t.out(4, 7), "甲,乙");
    }

    #[test]
    fn markers_of_every_style() {
        for (s, style, num) in [
            ("一是甲", Style::Shi, 1),
            ("三要甲", Style::Yao, 3),
            ("第二，甲", Style::Di, 2),
            ("十一、甲", Style::CnDun, 11),
            ("（四）甲", Style::CnParen, 4),
            ("(2)甲", Style::NumParen, 2),
            ("3.甲", Style::Dot, 3),
            ("３．甲", Style::Dot, 3),
            ("4、甲", Style::Dot, 4),
            ("5）甲", Style::NumHalf, 5),
            ("②甲", Style::Circle, 2),
        ] {
            let t = Text::new(s);
            let (got, n, text) = marker(&t, 0).unwrap_or_else(|| panic!("{s}"));
            assert_eq!((got, n), (style, num), "{s}");
            assert_eq!(t.out(text, t.len()), "甲", "{s}");
        }
        assert!(marker(&Text::new("1.5亿元"), 0).is_none());
        assert!(marker(&Text::new("一些问题"), 0).is_none());
    }

    #[test]
    fn split_keeps_quotes_whole() {
        let t = Text::new("甲，“乙，丙”，《丁，戊》");
        let parts: Vec<String> = t
            .split(0, t.len(), &['，'])
            .into_iter()
            .map(|(a, b)| t.out(a, b))
            .collect();
        assert_eq!(parts, ["甲", "“乙，丙”", "《丁，戊》"]);
    }
}
