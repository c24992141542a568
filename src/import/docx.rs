//! A Word file (`.docx`): a zip archive whose `word/document.xml` holds the
//! paragraphs. Each paragraph becomes a line of its own; its marker is the
//! text Word shows for its automatic numbering (see `numbering.rs`), from the
//! paragraph's own `w:numPr` or its style's; a heading style (「見出し 1」,
//! Heading 1, an outline level) makes it a heading.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::numbering::Numbering;
use super::Line;

/// The largest part read from the archive (a zip bomb is an error, not a hang).
const MAX_PART: u64 = 64 * 1024 * 1024;

/// True if the bytes open like a zip archive.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// The paragraphs of a Word file as lines.
pub fn lines(bytes: &[u8]) -> Result<Vec<Line>, String> {
    if !is_zip(bytes) {
        return Err(if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            "this is an old Word file (.doc), not a .docx: open it in Word and save it as .docx (Word 文書)".into()
        } else {
            "the file is not a Word document: a .docx file is a zip archive, and this one is not"
                .into()
        });
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("the Word file is damaged: its zip archive cannot be read ({e})"))?;
    let document = part(&mut zip, "word/document.xml")?
        .ok_or("the zip archive holds no word/document.xml: it is not a Word document")?;
    let styles = match part(&mut zip, "word/styles.xml")? {
        Some(xml) => Styles::parse(&xml)?,
        None => Styles::default(),
    };
    let mut numbering = match part(&mut zip, "word/numbering.xml")? {
        Some(xml) => Numbering::parse(&xml)?,
        None => Numbering::default(),
    };
    paragraphs(&document, &styles, &mut numbering)
}

fn part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Option<String>, String> {
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(format!("{name} in the Word file cannot be read ({e})")),
    };
    let mut bytes = Vec::new();
    file.take(MAX_PART + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name} in the Word file cannot be read ({e})"))?;
    if bytes.len() as u64 > MAX_PART {
        return Err(format!("{name} in the Word file is larger than 64 MB"));
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| format!("{name} in the Word file is not UTF-8 XML"))
}

fn attr(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        let key = a.key.as_ref();
        let local = key.rsplit(|&b| b == b':').next().unwrap_or(key);
        (local == name).then(|| match a.unescape_value() {
            Ok(v) => v.into_owned(),
            Err(_) => String::from_utf8_lossy(&a.value).into_owned(),
        })
    })
}

fn local(name: &[u8]) -> &[u8] {
    name.rsplit(|&b| b == b':').next().unwrap_or(name)
}

/// A paragraph style, as far as importing needs it.
#[derive(Debug, Default, Clone)]
struct Style {
    name: String,
    based_on: Option<String>,
    outline: Option<u8>,
    num: Option<(Option<String>, Option<u32>)>,
}

/// `word/styles.xml`: paragraph styles by id.
#[derive(Debug, Default)]
struct Styles {
    styles: HashMap<String, Style>,
}

impl Styles {
    fn parse(xml: &str) -> Result<Styles, String> {
        let mut reader = Reader::from_str(xml);
        let mut styles = Styles::default();
        let mut current: Option<(String, Style)> = None;
        loop {
            match reader
                .read_event()
                .map_err(|e| format!("word/styles.xml is not valid XML ({e})"))?
            {
                Event::Start(e) | Event::Empty(e) => {
                    let val = attr(&e, b"val");
                    match local(e.name().as_ref()) {
                        b"style" => {
                            current = attr(&e, b"styleId").map(|id| (id, Style::default()));
                        }
                        b"name" => with(&mut current, |s| s.name = val.unwrap_or_default()),
                        b"basedOn" => with(&mut current, |s| s.based_on = val),
                        b"outlineLvl" => with(&mut current, |s| {
                            s.outline = val.and_then(|v| v.parse::<u8>().ok()).filter(|&v| v < 9)
                        }),
                        b"numId" => with(&mut current, |s| {
                            s.num.get_or_insert((None, None)).0 = val;
                        }),
                        b"ilvl" => with(&mut current, |s| {
                            s.num.get_or_insert((None, None)).1 = val.and_then(|v| v.parse().ok());
                        }),
                        _ => {}
                    }
                }
                Event::End(e) if local(e.name().as_ref()) == b"style" => {
                    if let Some((id, s)) = current.take() {
                        styles.styles.insert(id, s);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(styles)
    }

    /// The style and the styles it is based on, nearest first.
    fn chain<'a>(&'a self, id: &'a str) -> Vec<(&'a str, &'a Style)> {
        let mut out = Vec::new();
        let mut next = Some(id);
        while let Some(id) = next {
            let Some(s) = self.styles.get(id) else { break };
            if out.iter().any(|(seen, _)| *seen == id) || out.len() > 20 {
                break;
            }
            out.push((id, s));
            next = s.based_on.as_deref();
        }
        out
    }

    /// Heading level (1 = 見出し 1) of a style: by name or outline level.
    fn heading(&self, id: &str) -> Option<u8> {
        for (_, s) in self.chain(id) {
            let name = s.name.to_lowercase();
            for prefix in ["heading ", "見出し "] {
                if let Some(n) = name
                    .strip_prefix(prefix)
                    .and_then(|n| n.trim().parse::<u8>().ok())
                {
                    return Some(n);
                }
            }
            if name == "title" || name == "表題" {
                return Some(1);
            }
            if let Some(o) = s.outline {
                return Some(o + 1);
            }
        }
        None
    }

    /// The numbering a style carries.
    fn numbering(&self, id: &str, numbering: &Numbering) -> Option<(String, u32)> {
        for (sid, s) in self.chain(id) {
            if let Some((Some(num), ilvl)) = &s.num {
                let ilvl = ilvl.or_else(|| numbering.level_of_style(sid).map(|(_, l)| l));
                return Some((num.clone(), ilvl.unwrap_or(0)));
            }
        }
        None
    }
}

fn with(current: &mut Option<(String, Style)>, f: impl FnOnce(&mut Style)) {
    if let Some((_, s)) = current {
        f(s);
    }
}

/// A paragraph being read.
#[derive(Default)]
struct Para {
    text: String,
    style: Option<String>,
    num_id: Option<String>,
    ilvl: Option<u32>,
    outline: Option<u8>,
}

fn paragraphs(xml: &str, styles: &Styles, numbering: &mut Numbering) -> Result<Vec<Line>, String> {
    let mut reader = Reader::from_str(xml);
    let mut lines = Vec::new();
    let mut para: Option<Para> = None;
    let mut in_text = false;
    // Text boxes and a drawing's fallback copy are not the body's text.
    let mut skip = 0usize;
    let mut count = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("word/document.xml is not valid XML ({e})"))?;
        match event {
            Event::Start(e) => {
                let name = local(e.name().as_ref()).to_vec();
                if matches!(
                    name.as_slice(),
                    b"txbxContent" | b"Fallback" | b"del" | b"instrText"
                ) {
                    skip += 1;
                }
                if skip > 0 {
                    continue;
                }
                match name.as_slice() {
                    b"p" => para = Some(Para::default()),
                    b"t" => in_text = true,
                    _ => empty_element(&e, &mut para),
                }
            }
            Event::Empty(e) => {
                if skip == 0 && local(e.name().as_ref()) == b"p" {
                    count += 1;
                    push_paragraph(Para::default(), count, styles, numbering, &mut lines);
                } else if skip == 0 {
                    empty_element(&e, &mut para);
                }
            }
            Event::Text(t) if in_text && skip == 0 => {
                if let Some(p) = &mut para {
                    let s = t
                        .decode()
                        .map_err(|e| format!("word/document.xml has bad text ({e})"))?;
                    p.text.push_str(&s);
                }
            }
            Event::GeneralRef(r) if in_text && skip == 0 => {
                if let Some(p) = &mut para {
                    let c = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c),
                        _ => match &*r {
                            b"amp" => Some('&'),
                            b"lt" => Some('<'),
                            b"gt" => Some('>'),
                            b"quot" => Some('"'),
                            b"apos" => Some('\''),
                            _ => None,
                        },
                    };
                    p.text.extend(c);
                }
            }
            Event::End(e) => {
                let name = local(e.name().as_ref()).to_vec();
                if matches!(
                    name.as_slice(),
                    b"txbxContent" | b"Fallback" | b"del" | b"instrText"
                ) {
                    skip = skip.saturating_sub(1);
                    continue;
                }
                if skip > 0 {
                    continue;
                }
                match name.as_slice() {
                    b"t" => in_text = false,
                    b"p" => {
                        if let Some(p) = para.take() {
                            count += 1;
                            push_paragraph(p, count, styles, numbering, &mut lines);
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(lines)
}

/// Elements inside a paragraph that carry meaning without text.
fn empty_element(e: &BytesStart<'_>, para: &mut Option<Para>) {
    let Some(p) = para else { return };
    let val = attr(e, b"val");
    match local(e.name().as_ref()) {
        b"pStyle" => p.style = val,
        b"numId" => p.num_id = val,
        b"ilvl" => p.ilvl = val.and_then(|v| v.parse().ok()),
        b"outlineLvl" => p.outline = val.and_then(|v| v.parse::<u8>().ok()).filter(|&v| v < 9),
        b"tab" if attr(e, b"pos").is_none() => p.text.push('\t'),
        b"br"
            if attr(e, b"type")
                .as_deref()
                .is_none_or(|t| t == "textWrapping") =>
        {
            p.text.push('\n')
        }
        b"cr" => p.text.push('\n'),
        b"noBreakHyphen" => p.text.push('-'),
        _ => {}
    }
}

fn push_paragraph(
    p: Para,
    number: usize,
    styles: &Styles,
    numbering: &mut Numbering,
    lines: &mut Vec<Line>,
) {
    let num = match (&p.num_id, p.ilvl) {
        (Some(id), ilvl) => Some((id.clone(), ilvl.unwrap_or(0))),
        (None, Some(ilvl)) => p
            .style
            .as_deref()
            .and_then(|s| styles.numbering(s, numbering))
            .map(|(id, _)| (id, ilvl)),
        (None, None) => p
            .style
            .as_deref()
            .and_then(|s| styles.numbering(s, numbering)),
    };
    let marker = num.and_then(|(id, ilvl)| numbering.next(&id, ilvl));
    let heading = p
        .outline
        .map(|o| o + 1)
        .or_else(|| p.style.as_deref().and_then(|s| styles.heading(s)));
    let mut text = p.text.replace('\t', " ");
    if let Some(m) = marker {
        text.insert_str(0, &m);
    }
    let parts: Vec<&str> = text.split('\n').collect();
    let last = parts.len() - 1;
    for (i, part) in parts.iter().enumerate() {
        let mut line = Line::text(part.trim(), number);
        line.whole = i == last;
        // 見出し 1 is the body's top level (##): the title is in the front matter.
        line.heading = if i == 0 {
            heading.map(|h| (h + 1).min(6))
        } else {
            None
        };
        line.indented = part.starts_with('\u{3000}') && i > 0;
        lines.push(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_a_zip_is_a_clear_error() {
        let err = lines(b"just text").unwrap_err();
        assert!(err.contains("not a Word document"), "{err}");
        let err = lines(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0]).unwrap_err();
        assert!(err.contains(".doc"), "{err}");
        let err = lines(b"PK\x03\x04broken").unwrap_err();
        assert!(err.contains("damaged"), "{err}");
    }

    #[test]
    fn paragraphs_with_numbering_styles_and_breaks() {
        let styles = Styles::parse(r#"<w:styles xmlns:w="w">
            <w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/></w:style>
            <w:style w:type="paragraph" w:styleId="Num2"><w:name w:val="Num 2"/><w:basedOn w:val="1"/>
              <w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
        </w:styles>"#).unwrap();
        let mut numbering = Numbering::parse(r#"<w:numbering xmlns:w="w">
            <w:abstractNum w:abstractNumId="0">
              <w:lvl w:ilvl="0"><w:numFmt w:val="decimalFullWidth"/><w:lvlText w:val="%1．"/><w:suff w:val="nothing"/></w:lvl>
              <w:lvl w:ilvl="1"><w:numFmt w:val="decimalFullWidth"/><w:lvlText w:val="（%2）"/><w:suff w:val="nothing"/></w:lvl>
            </w:abstractNum>
            <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#).unwrap();
        let doc = r#"<w:document xmlns:w="w"><w:body>
            <w:p><w:pPr><w:pStyle w:val="1"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>基本方針</w:t></w:r></w:p>
            <w:p><w:pPr><w:pStyle w:val="Num2"/></w:pPr><w:r><w:t xml:space="preserve">施策 &amp; 事業</w:t></w:r></w:p>
            <w:p><w:r><w:t>一行目</w:t><w:br/><w:t>二行目</w:t><w:tab/><w:t>タブ</w:t></w:r><w:del><w:r><w:delText>消した</w:delText></w:r></w:del></w:p>
            <w:p/>
        </w:body></w:document>"#;
        let lines = paragraphs(doc, &styles, &mut numbering).unwrap();
        let texts: Vec<(&str, Option<u8>, bool)> = lines
            .iter()
            .map(|l| (l.text.as_str(), l.heading, l.whole))
            .collect();
        assert_eq!(
            texts,
            vec![
                ("１．基本方針", Some(2), true),
                ("（１）施策 & 事業", Some(2), true),
                ("一行目", None, false),
                ("二行目 タブ", None, true),
                ("", None, true),
            ]
        );
        assert_eq!(lines[3].number, 3);
    }
}
