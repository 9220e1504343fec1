//! Reading container image references (`[registry[:port]/]path[:tag][@digest]`), as Docker's
//! reference grammar splits them. Private to the crate; a candidate for the SDK.

/// An image reference split into its parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Registry and repository path: `localhost:5000/team/app`.
    pub name: &'a str,
    /// The tag, when one is written: `1.27` in `nginx:1.27`.
    pub tag: Option<&'a str>,
    /// The digest, when one is written: `sha256:...` in `app@sha256:...`.
    pub digest: Option<&'a str>,
}

/// Splits a reference. `None` when the text is not a plain reference a rule can judge: empty,
/// with blanks, or still holding a placeholder for some tool to fill in (`${TAG}`,
/// `$(TAG)`, `{{ .Values.tag }}`, `<tag>`).
pub fn parse(reference: &str) -> Option<ImageRef<'_>> {
    let reference = reference.trim();
    if reference.is_empty()
        || reference.bytes().any(|b| b.is_ascii_whitespace() || matches!(b, b'$' | b'{' | b'}' | b'<' | b'>'))
    {
        return None;
    }
    let (name, digest) = match reference.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (reference, None),
    };
    // The tag is after a `:` in the last path component only: in `localhost:5000/app` the
    // `:5000` is the registry's port, not a tag.
    let last_component = name.rfind('/').map_or(0, |slash| slash + 1);
    let (name, tag) = match name[last_component..].find(':') {
        Some(colon) => {
            let colon = last_component + colon;
            (&name[..colon], Some(&name[colon + 1..]))
        }
        None => (name, None),
    };
    if name.is_empty() {
        return None;
    }
    Some(ImageRef { name, tag, digest: digest.filter(|d| !d.is_empty()) })
}

/// Why an image reference floats, if it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Floating<'a> {
    /// No tag and no digest: the runtime pulls `:latest`.
    NoTag,
    /// A tag listed as floating (`latest`), without a digest.
    Tag(&'a str),
}

/// Whether a reference names a moving target: no digest, and a tag in `floating_tags`
/// (compared case-insensitively), or no tag at all when `latest` is in that list.
pub fn floating<'a>(reference: &ImageRef<'a>, floating_tags: &[String]) -> Option<Floating<'a>> {
    if reference.digest.is_some() {
        return None;
    }
    let listed = |tag: &str| floating_tags.iter().any(|t| t.trim().eq_ignore_ascii_case(tag));
    match reference.tag {
        None => listed("latest").then_some(Floating::NoTag),
        Some(tag) => listed(tag).then_some(Floating::Tag(tag)),
    }
}

/// The image reference `text` when it floats: what is wrong with it, in a few words
/// (`` `latest` is a moving tag that ... ``).
pub fn judge(text: &str, floating_tags: &[String]) -> Option<String> {
    let reference = parse(text)?;
    Some(match floating(&reference, floating_tags)? {
        Floating::NoTag => format!(
            "no tag means `{}:latest`, a moving tag that changes whenever someone pushes",
            reference.name
        ),
        Floating::Tag(tag) => format!("`{tag}` is a moving tag that changes whenever someone pushes"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Option<(&str, Option<&str>, Option<&str>)> {
        parse(s).map(|r| (r.name, r.tag, r.digest))
    }

    #[test]
    fn references_split_like_docker() {
        assert_eq!(split("nginx"), Some(("nginx", None, None)));
        assert_eq!(split("nginx:1.27"), Some(("nginx", Some("1.27"), None)));
        assert_eq!(split("localhost:5000/app"), Some(("localhost:5000/app", None, None)));
        assert_eq!(split("localhost:5000/app:latest"), Some(("localhost:5000/app", Some("latest"), None)));
        assert_eq!(split("app@sha256:abc"), Some(("app", None, Some("sha256:abc"))));
        assert_eq!(split("app:latest@sha256:abc"), Some(("app", Some("latest"), Some("sha256:abc"))));
        assert_eq!(split("${REPO}:latest"), None);
        assert_eq!(split(""), None);
    }

    #[test]
    fn floating_tags() {
        let latest = vec!["latest".to_owned()];
        let floats = |s: &'static str| floating(&parse(s).unwrap(), &latest);
        assert_eq!(floats("nginx"), Some(Floating::NoTag));
        assert_eq!(floats("nginx:LATEST"), Some(Floating::Tag("LATEST")));
        assert_eq!(floats("nginx:1.27"), None);
        assert_eq!(floats("nginx:latest@sha256:abc"), None);
        assert_eq!(floating(&parse("nginx").unwrap(), &[]), None);
        assert!(
            judge("localhost:5000/app", &latest).is_some_and(|m| m.contains("`localhost:5000/app:latest`"))
        );
    }
}
