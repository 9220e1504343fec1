//! Small helpers for the words of findings.

/// `1 day`, `7 days`.
pub fn days(n: i64) -> String {
    if n == 1 { "1 day".to_owned() } else { format!("{n} days") }
}

/// `a`, `a and b`, `a, b and c`; empty for nothing.
pub fn join_and<S: AsRef<str>>(parts: &[S]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", init.join(", "), last.as_ref())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_counted() {
        assert_eq!(days(1), "1 day");
        assert_eq!(days(0), "0 days");
        assert_eq!(days(7), "7 days");
        assert_eq!(days(-1), "-1 days");
    }

    #[test]
    fn lists_are_joined_with_and() {
        assert_eq!(join_and::<&str>(&[]), "");
        assert_eq!(join_and(&["cpu"]), "cpu");
        assert_eq!(join_and(&["cpu", "memory"]), "cpu and memory");
        assert_eq!(
            join_and(&["TLS 1.0".to_owned(), "1.1".to_owned(), "1.2".to_owned()]),
            "TLS 1.0, 1.1 and 1.2"
        );
    }
}
