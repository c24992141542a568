//! `hoshin import FILE…` (SPEC §9): policies a city already has — text copied
//! or extracted from a PDF, a PDF, a Word file — become documents.
//!
//! Each source is read into lines (`text`, `pdf`, `docx`), the letter's head
//! gives the front matter (`letter`, `names`), the rest is joined into
//! paragraphs and directives (`assemble`, `spaces`) and written as Markdown
//! (`markdown`). The result is parsed as a build would parse it before
//! anything is written, so what import writes builds without edits.

mod assemble;
mod docx;
mod encoding;
mod furniture;
mod letter;
mod markdown;
mod names;
mod numbering;
mod pdf;
mod spaces;
mod text;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use unicode_width::UnicodeWidthStr;

use crate::config::Config;
use crate::diagnostics::{Diagnostics, SourceFile};
use crate::era::era_fiscal_year;
use crate::load::LoadedFile;
use crate::scaffold::{self, FrontMatterOut};

/// One line of a source: a line of text, or a paragraph (or part of one) of a Word file.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The text, spaces at both ends removed.
    pub text: String,
    /// Line (or paragraph) number in the source, from 1, for the report.
    pub number: usize,
    /// How far right the line reaches, in columns (a wide character is 2).
    pub width: usize,
    /// The line ends its paragraph (a Word paragraph's last line).
    pub whole: bool,
    /// A heading level the source gave it (a Word heading style).
    pub heading: Option<u8>,
    /// It started with a full-width space: a new paragraph's indent.
    pub indented: bool,
}

impl Line {
    /// A line of text, measured.
    pub fn text(text: &str, number: usize) -> Line {
        Line {
            text: text.to_string(),
            number,
            width: text.width(),
            whole: false,
            heading: None,
            indented: false,
        }
    }
}

/// Something the reader should look at, on a line of the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Line (or paragraph) number in the source.
    pub at: usize,
    /// What happened there.
    pub message: String,
}

impl Note {
    /// A note on line `at`.
    pub fn new(at: usize, message: String) -> Note {
        Note { at, message }
    }
}

/// What `hoshin import` was asked to do.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The files to import.
    pub files: Vec<PathBuf>,
    /// Site root (its site.toml gives department slugs and marker order).
    pub root: PathBuf,
    /// Where to write instead of `content/<year>/<slug>.md`; `-` for standard output.
    pub to: Option<PathBuf>,
    /// Replace existing files.
    pub force: bool,
}

/// One file, imported.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The file read.
    pub source: PathBuf,
    /// What it was, e.g. "pdftotext -layout output, Shift_JIS (CP932)".
    pub kind: String,
    /// "line" or "paragraph": what the numbers in the report count.
    pub unit: &'static str,
    /// The front matter found.
    pub front: FrontMatterOut,
    /// What was found where: field, value, source line, where it came from.
    pub detected: Vec<(&'static str, String, usize, &'static str)>,
    /// The whole document (front matter and body).
    pub document: String,
    /// Directives in it.
    pub directives: usize,
    /// Paragraphs of ordinary text in it.
    pub paragraphs: usize,
    /// Lines dropped as page furniture.
    pub dropped: Vec<Note>,
    /// Everything import was unsure of.
    pub notes: Vec<Note>,
    /// Warnings a build would print for the document (numbering gaps).
    pub warnings: String,
}

/// What a source file is.
enum Kind {
    Pdf,
    Docx,
    Text,
}

fn kind_of(path: &Path, bytes: &[u8]) -> Kind {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if ext == "pdf" || bytes.starts_with(b"%PDF-") {
        Kind::Pdf
    } else if matches!(ext.as_str(), "docx" | "docm" | "doc") || docx::is_zip(bytes) {
        Kind::Docx
    } else {
        Kind::Text
    }
}

/// Reads and converts one file, writing nothing.
pub fn import_file(path: &Path, config: &Config) -> Result<Imported, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err("the file is empty".into());
    }
    let (lines, kind, unit, dropped) = match kind_of(path, &bytes) {
        Kind::Pdf => {
            let text = pdf::text(&bytes)?;
            let shaped = text::shape(&text);
            (shaped.lines, "PDF".to_string(), "line", shaped.dropped)
        }
        Kind::Docx => (
            docx::lines(&bytes)?,
            "Word document".to_string(),
            "paragraph",
            Vec::new(),
        ),
        Kind::Text => {
            let (text, encoding) = encoding::decode(&bytes)?;
            if text.contains('\0') {
                return Err("the file is not text (it holds NUL bytes)".into());
            }
            let shaped = text::shape(&text);
            (
                shaped.lines,
                format!("{}, {encoding}", shaped.shape),
                "line",
                shaped.dropped,
            )
        }
    };
    // Control characters (a PDF's unmapped glyphs, a stray NUL) are not text.
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|mut l| {
            if l.text.chars().any(char::is_control) {
                l.text.retain(|c| !c.is_control());
            }
            l
        })
        .collect();
    if lines.iter().all(|l| l.text.trim().is_empty()) {
        return Err("the file holds no text".into());
    }
    let head = letter::read(&lines);
    let mut notes = head.notes.clone();
    let mut body_lines: Vec<Line> = head.leftovers.iter().map(|&i| lines[i].clone()).collect();
    body_lines.extend(lines[head.body_start..].iter().cloned());
    let blocks = assemble::blocks(&body_lines, config, &mut notes);
    let (body, line_map) = markdown::write(&blocks);
    let front = front_matter(&head)?;
    if front.title.is_none() {
        let at = lines.first().map_or(1, |l| l.number);
        notes.push(Note::new(
            at,
            format!(
                "no title line (…の運営方針について) at the head of the letter: the page will be titled 「{}運営方針（{}）」",
                front.department,
                era_fiscal_year(front.year)
            ),
        ));
    }
    let document = scaffold::render_document(&front, &body)?;
    // The document's line where the body starts, to point problems back at the source.
    let head_lines = document.matches('\n').count() - body.trim_end().matches('\n').count() - 1;

    let key = format!(
        "{}/{}",
        front.year,
        config.department_slug(&front.department)
    );
    let file = LoadedFile {
        key,
        source: SourceFile::new(path.display().to_string(), document.clone()),
    };
    let (doc, warnings) = match crate::parse::parse_document(file, config) {
        Ok(parsed) => parsed,
        Err(errors) => {
            let mut d = Diagnostics::default();
            d.extend(errors.into_iter().map(|mut e| {
                if let Some(loc) = &mut e.location {
                    match loc
                        .line
                        .checked_sub(head_lines + 1)
                        .and_then(|i| line_map.get(i))
                    {
                        Some(&source) => loc.line = source,
                        None => loc.path = format!("{} (front matter)", loc.path),
                    }
                }
                e.with_note("the line shown is the text as converted")
            }));
            return Err(format!(
                "the converted document would not build:\n{}",
                d.render()
            ));
        }
    };
    if doc.directives.is_empty() {
        return Err("no directive found: a policy's directives begin with a marker such as 「１．」「（１）」「①」 (SPEC §3.1); is this a policy?".into());
    }
    let mut w = Diagnostics::default();
    w.extend(warnings);
    notes.sort_by_key(|n| n.at);
    let detected = detected_fields(&head);
    Ok(Imported {
        source: path.to_path_buf(),
        kind,
        unit,
        front,
        detected,
        document,
        directives: doc.directives.len(),
        paragraphs: blocks
            .iter()
            .filter(|b| b.kind == assemble::BlockKind::Text)
            .count(),
        dropped,
        notes,
        warnings: if w.warning_count() > 0 {
            w.render()
        } else {
            String::new()
        },
    })
}

/// The front matter, or which required field the letter did not give.
fn front_matter(head: &letter::Letter) -> Result<FrontMatterOut, String> {
    let mut missing = Vec::new();
    if head.year.is_none() {
        missing.push(
            "the fiscal year (a title such as 「令和５年度総務部の運営方針について」 or a date)",
        );
    }
    if head.department.is_none() {
        missing.push("the department (from the title or an author line such as 「総務部長 氏名」)");
    }
    if head.author.is_none() {
        missing.push("the author (a line such as 「総務部長 氏名」 near the top)");
    }
    if !missing.is_empty() {
        return Err(format!(
            "could not find {} in the opening lines; add them to the file's first lines, as the letter would have them",
            missing.join(", ")
        ));
    }
    let value = |f: &Option<letter::Found<String>>| f.as_ref().map(|f| f.value.clone());
    Ok(FrontMatterOut {
        year: head.year.as_ref().map_or(0, |y| y.value),
        department: value(&head.department).unwrap_or_default(),
        author: value(&head.author).unwrap_or_default(),
        title: value(&head.title),
        date: head.date.as_ref().map(|d| d.value.iso()),
        audience: value(&head.audience),
        status: None,
        tags: None,
    })
}

fn detected_fields(head: &letter::Letter) -> Vec<(&'static str, String, usize, &'static str)> {
    let mut out = Vec::new();
    if let Some(d) = &head.date {
        out.push((
            "date",
            format!("{} ({})", d.value.iso(), d.value.japanese()),
            d.at,
            d.from,
        ));
    }
    for (name, f) in [
        ("audience", &head.audience),
        ("title", &head.title),
        ("author", &head.author),
    ] {
        if let Some(f) = f {
            out.push((name, f.value.clone(), f.at, f.from));
        }
    }
    if let Some(y) = &head.year {
        out.push((
            "year",
            format!("{} ({})", y.value, era_fiscal_year(y.value)),
            y.at,
            y.from,
        ));
    }
    if let Some(d) = &head.department {
        out.push(("department", d.value.clone(), d.at, d.from));
    }
    out
}

/// Where an imported document goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Destination {
    File(PathBuf),
    Stdout,
}

/// Runs `hoshin import` and returns the exit status: 0, 1 (a file could not
/// be imported), 2 (usage: a file would be overwritten, bad options).
pub fn run(opts: &ImportOptions) -> i32 {
    let config = match crate::build::load_config(&opts.root) {
        Ok(c) => c,
        Err(f) => {
            eprint!("{}", f.diagnostics.render());
            return f.exit_code;
        }
    };
    if opts.to.is_some() && opts.files.len() > 1 {
        eprintln!("error: --to takes one FILE; to import several, leave --to out and each goes to content/<year>/<slug>.md");
        return 2;
    }
    let mut imported = Vec::new();
    let mut failed = 0;
    for file in &opts.files {
        match import_file(file, &config) {
            Ok(i) => imported.push(i),
            Err(e) => {
                eprintln!("error: cannot import {}: {e}", file.display());
                failed += 1;
            }
        }
    }
    if failed > 0 {
        eprintln!(
            "error: nothing was written: {failed} of {} files could not be imported",
            opts.files.len()
        );
        return 1;
    }
    let destinations: Vec<Destination> = imported
        .iter()
        .map(|i| match &opts.to {
            Some(p) if p.as_os_str() == "-" => Destination::Stdout,
            Some(p) => Destination::File(p.clone()),
            None => Destination::File(scaffold::document_path(
                &opts.root,
                &config,
                &i.front.department,
                i.front.year,
            )),
        })
        .collect();
    // Every check before the first write: all files are written or none.
    for (k, d) in destinations.iter().enumerate() {
        if let Some(j) = destinations[..k]
            .iter()
            .position(|e| e == d && *e != Destination::Stdout)
        {
            eprintln!(
                "error: {} and {} are both {} {} and would both be written to {}; nothing was written",
                imported[j].source.display(),
                imported[k].source.display(),
                imported[k].front.department,
                era_fiscal_year(imported[k].front.year),
                show(d)
            );
            return 1;
        }
        if let Destination::File(p) = d {
            if p.exists() && !opts.force {
                eprintln!(
                    "error: {} already exists; nothing was written (use --force to replace it)",
                    p.display()
                );
                return 2;
            }
        }
    }
    for (i, d) in imported.iter().zip(&destinations) {
        match d {
            Destination::Stdout => {
                let mut out = std::io::stdout().lock();
                if out.write_all(i.document.as_bytes()).is_err() {
                    return 1;
                }
            }
            Destination::File(p) => {
                if let Err(e) = scaffold::write_document(p, &i.document, opts.force) {
                    eprintln!("error: {e}");
                    return 2;
                }
            }
        }
        let report = report(i, d);
        if *d == Destination::Stdout {
            eprint!("{report}");
        } else {
            print!("{report}");
        }
    }
    0
}

fn show(d: &Destination) -> String {
    match d {
        Destination::File(p) => p.display().to_string(),
        Destination::Stdout => "standard output".into(),
    }
}

/// What import found, and every line it was unsure of.
fn report(i: &Imported, d: &Destination) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "imported {} ({}) → {}",
        i.source.display(),
        i.kind,
        show(d)
    );
    for (field, value, at, from) in &i.detected {
        let _ = writeln!(s, "  {field:<11} {value}  ({from}, {} {at})", i.unit);
    }
    let _ = writeln!(
        s,
        "  {:<11} {} directives, {} paragraphs of other text",
        "body", i.directives, i.paragraphs
    );
    for n in &i.dropped {
        let _ = writeln!(s, "  dropped     {} {}: {}", i.unit, n.at, n.message);
    }
    if !i.notes.is_empty() {
        let _ = writeln!(s, "  check these {}s:", i.unit);
        for n in &i.notes {
            let _ = writeln!(s, "    {} {}: {}", i.unit, n.at, n.message);
        }
    }
    if !i.warnings.is_empty() {
        s.push_str(&i.warnings);
    }
    s
}
