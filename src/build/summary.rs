//! The words of a build's summary line, shared by `hoshin build`, `check`
//! and the rebuild lines of `watch`, so that they cannot drift apart.

/// "1 document", "2 documents".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// "977 documents, 59268 directives, 1 reference".
pub fn site_counts(documents: usize, directives: usize, references: usize) -> String {
    format!(
        "{}, {}, {}",
        count(documents, "document"),
        count(directives, "directive"),
        count(references, "reference")
    )
}

/// ", 2 warnings", or nothing without warnings.
pub fn warnings(n: usize) -> String {
    match n {
        0 => String::new(),
        n => format!(", {}", count(n, "warning")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular() {
        assert_eq!(
            site_counts(1, 2, 0),
            "1 document, 2 directives, 0 references"
        );
        assert_eq!(warnings(0), "");
        assert_eq!(warnings(1), ", 1 warning");
    }
}
