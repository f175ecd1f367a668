//! The DSL's words: every layer and loss the chain accepts, in one place, so that the parser,
//! the error messages and the suggestions cannot disagree.

/// What a word in the chain stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Word {
    Linear,
    Maxout,
    Relu,
    LeakyRelu,
    Elu,
    Sigmoid,
    Tanh,
    Softmax,
    Identity,
    Elementwise,
    CrossEntropy,
    BinaryCrossEntropy,
    Mse,
}

/// The spelling users write, and what it means.
pub const WORDS: &[(&str, Word)] = &[
    ("Linear", Word::Linear),
    ("Maxout", Word::Maxout),
    ("ReLU", Word::Relu),
    ("LeakyReLU", Word::LeakyRelu),
    ("ELU", Word::Elu),
    ("Sigmoid", Word::Sigmoid),
    ("Tanh", Word::Tanh),
    ("Softmax", Word::Softmax),
    ("Identity", Word::Identity),
    ("Elementwise", Word::Elementwise),
    ("CE", Word::CrossEntropy),
    ("BCE", Word::BinaryCrossEntropy),
    ("MSE", Word::Mse),
];

/// Names other libraries use for the same thing, so `Dense` suggests `Linear`.
const ALIASES: &[(&str, &str)] = &[
    ("dense", "Linear"),
    ("fc", "Linear"),
    ("affine", "Linear"),
    ("logistic", "Sigmoid"),
    ("crossentropy", "CE"),
    ("crossentropyloss", "CE"),
    ("nll", "CE"),
    ("l2", "MSE"),
    ("bceloss", "BCE"),
    ("binarycrossentropy", "BCE"),
    ("leaky", "LeakyReLU"),
    ("leakyrelu", "LeakyReLU"),
    ("linearactivation", "Identity"),
    ("none", "Identity"),
    ("mseloss", "MSE"),
];

impl Word {
    pub fn is_loss(self) -> bool {
        matches!(
            self,
            Word::CrossEntropy | Word::BinaryCrossEntropy | Word::Mse
        )
    }
}

pub fn lookup(name: &str) -> Option<Word> {
    WORDS.iter().find(|(s, _)| *s == name).map(|(_, w)| *w)
}

/// The word a misspelling most likely meant: same letters in another case, a known alias,
/// or the closest spelling within two edits.
pub fn suggest(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    if let Some((s, _)) = WORDS.iter().find(|(s, _)| s.to_lowercase() == lower) {
        return Some(s);
    }
    if let Some((_, s)) = ALIASES.iter().find(|(a, _)| *a == lower) {
        return Some(s);
    }
    WORDS
        .iter()
        .map(|(s, _)| (edit_distance(&s.to_lowercase(), &lower), *s))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, s)| s)
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diag + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// All spellings, for "expected one of ..." messages.
pub fn all_spellings() -> String {
    let names: Vec<String> = WORDS.iter().map(|(s, _)| format!("`{s}`")).collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(suggest("Relu"), Some("ReLU"));
        assert_eq!(suggest("relu"), Some("ReLU"));
        assert_eq!(suggest("Softmx"), Some("Softmax"));
        assert_eq!(suggest("Dense"), Some("Linear"));
        assert_eq!(suggest("CrossEntropy"), Some("CE"));
        assert_eq!(suggest("Convolution"), None);
    }
}
