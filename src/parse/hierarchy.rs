//! The hierarchy post-pass: once a document's directives are known, settle
//! katakana order (アイウ or イロハ), give every directive its anchor id and
//! citation, and check numbering (a repeat is an error, a gap a warning).

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, SourceFile};
use crate::marker::{citation_part, katakana_index, MarkerKind, Number, IROHA};
use crate::model::DirectiveDraft;

/// Fills `id` and `citation` of every directive and returns numbering problems.
pub fn finish(directives: &mut [DirectiveDraft], file: &SourceFile) -> Vec<Diagnostic> {
    let groups = sibling_groups(directives);
    renumber_iroha(directives, &groups);
    // Parents come before their children, so each path extends its parent's.
    for i in 0..directives.len() {
        let d = &directives[i];
        let part = format!("{}{}", d.kind.code(), d.number.id_part());
        let own = citation_part(d.kind, &d.number, d.letter);
        let (id, citation) = match d.parent {
            Some(p) => {
                let parent = &directives[p];
                let sep = if parent.kind == MarkerKind::Dai {
                    " "
                } else {
                    ""
                };
                (
                    format!("{}-{part}", parent.id),
                    format!("{}{sep}{own}", parent.citation),
                )
            }
            None => (part, own),
        };
        directives[i].id = id;
        directives[i].citation = citation;
    }
    check_numbering(directives, &groups, file)
}

/// Siblings: directives of one kind under one parent, in document order.
fn sibling_groups(directives: &[DirectiveDraft]) -> Vec<Vec<usize>> {
    let mut index: HashMap<(Option<usize>, crate::marker::MarkerKind), usize> = HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, d) in directives.iter().enumerate() {
        let g = *index.entry((d.parent, d.kind)).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    groups
}

/// A katakana group that runs イ ロ … is numbered in イロハ order.
fn renumber_iroha(directives: &mut [DirectiveDraft], groups: &[Vec<usize>]) {
    for group in groups {
        let first = &directives[group[0]];
        if !first.kind.is_katakana() || first.letter != Some('イ') {
            continue;
        }
        let second = group.get(1).and_then(|&i| directives[i].letter);
        if second.is_some() && second != Some('ロ') {
            continue;
        }
        for &i in group {
            if let Some(n) = directives[i].letter.and_then(|l| katakana_index(IROHA, l)) {
                directives[i].number = Number::new(n);
            }
        }
    }
}

fn check_numbering(
    directives: &[DirectiveDraft],
    groups: &[Vec<usize>],
    file: &SourceFile,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let parent_name = |d: &DirectiveDraft| match d.parent {
        Some(p) => format!("under {}", directives[p].citation),
        None => "at the top level".to_string(),
    };
    for group in groups {
        let mut seen: HashMap<Number, usize> = HashMap::new();
        let mut prev: Option<&DirectiveDraft> = None;
        for &i in group {
            let d = &directives[i];
            if let Some(&first) = seen.get(&d.number) {
                let (line, _) = file.locate(directives[first].span.start);
                out.push(
                    Diagnostic::error(format!("directive {} appears twice {}", d.citation, parent_name(d)))
                        .at(file, d.span.clone())
                        .with_note(format!("first numbered {} on line {line}", directives[first].written))
                        .with_help("renumber one of them; every directive needs its own number so that it can be cited"),
                );
            } else {
                seen.insert(d.number, i);
                match prev {
                    None if d.number.main > 1 && d.number.branch.is_none() => out.push(
                        Diagnostic::warning(format!(
                            "numbering of {} starts at {} {}",
                            d.citation,
                            d.written,
                            parent_name(d)
                        ))
                        .at(file, d.span.clone())
                        .with_help("check for a missing or mistyped marker before it"),
                    ),
                    Some(p) if !p.number.is_followed_by(&d.number) && d.number > p.number => out
                        .push(
                            Diagnostic::warning(format!(
                                "gap in numbering: {} follows {}",
                                d.written, p.written
                            ))
                            .at(file, d.span.clone())
                            .with_help("check for a missing or mistyped marker between them"),
                        ),
                    Some(p) if d.number < p.number => out.push(
                        Diagnostic::warning(format!(
                            "numbering goes back: {} follows {}",
                            d.written, p.written
                        ))
                        .at(file, d.span.clone()),
                    ),
                    _ => {}
                }
            }
            prev = Some(d);
        }
    }
    out
}
