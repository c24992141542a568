//! "Did you mean …?" suggestions by edit distance.

/// The candidate closest to `input`, if it is close enough to be a plausible typo.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    closest(input, candidates, 1).into_iter().next()
}

/// Up to `max` candidates ordered by edit distance, keeping only plausible ones
/// (distance at most a third of the longer string, and at least 1 allowed).
pub fn closest<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    max: usize,
) -> Vec<&'a str> {
    let mut scored: Vec<(usize, &'a str)> = candidates
        .into_iter()
        .filter_map(|c| {
            // OSA distance: a swapped pair of letters (titel, yaer) is one edit.
            let d = strsim::osa_distance(input, c);
            let len = input.chars().count().max(c.chars().count());
            let limit = (len / 3).max(1);
            (d <= limit).then_some((d, c))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(max).map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_key() {
        let keys = ["year", "department", "author", "title"];
        assert_eq!(did_you_mean("deparment", keys), Some("department"));
        assert_eq!(did_you_mean("yaer", keys), Some("year"));
        assert_eq!(did_you_mean("completely-different", keys), None);
    }
}
