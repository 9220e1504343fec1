//! The function library against Terraform's documented results. Expressions are evaluated as
//! an attribute of a small module (see `terraform::tests::eval`) and rendered compactly:
//! `"s"`, `1`, `[..]`, `{k=..}`, `?(reason)`.

use super::super::tests::eval;
use super::super::value::{At, Value, ValueKind};
use super::{KNOWN, eager, jsonencode};
use rampart_model::Span;

/// Runs a table of `(expression, rendering)` cases and reports every mismatch at once.
fn check(cases: &[(&str, &str)]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(expr, expected)| {
            let got = eval(expr);
            (got != *expected).then(|| format!("{expr}\n   expected {expected}\n        got {got}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The rendering of a string value.
fn s(text: &str) -> String {
    format!("{text:?}")
}

const UNKNOWN: &str = "?(aws_x.y.z (known after apply))";

#[test]
fn network_functions_compute_addresses_as_terraform_does() {
    check(&[
        // Terraform's documented examples.
        (r#"cidrsubnet("172.16.0.0/12", 4, 2)"#, r#""172.18.0.0/16""#),
        (r#"cidrsubnet("10.1.2.0/24", 4, 15)"#, r#""10.1.2.240/28""#),
        (r#"cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)"#, r#""fd00:fd12:3456:7800:a200::/72""#),
        (r#"cidrhost("10.12.112.0/20", 16)"#, r#""10.12.112.16""#),
        (r#"cidrhost("10.12.112.0/20", 268)"#, r#""10.12.113.12""#),
        (r#"cidrhost("fd00:fd12:3456:7890:00a2::/72", 34)"#, r#""fd00:fd12:3456:7890::22""#),
        (r#"cidrhost("10.0.0.0/8", 2)"#, r#""10.0.0.2""#),
        (r#"cidrhost("10.0.0.0/8", -2)"#, r#""10.255.255.254""#),
        (r#"cidrnetmask("172.16.0.0/12")"#, r#""255.240.0.0""#),
        (
            r#"cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)"#,
            r#"["10.1.0.0/20","10.1.16.0/20","10.1.32.0/24","10.1.48.0/20"]"#,
        ),
        (
            r#"cidrsubnets("fd00:fd12:3456:7890::/56", 16, 16, 16, 32)"#,
            r#"["fd00:fd12:3456:7800::/72","fd00:fd12:3456:7800:100::/72","fd00:fd12:3456:7800:200::/72","fd00:fd12:3456:7800:300::/88"]"#,
        ),
        // Host bits of the prefix are cleared; IPv4 octets with leading zeros are decimal.
        (r#"cidrsubnet("10.1.2.5/24", 0, 0)"#, r#""10.1.2.0/24""#),
        (r#"cidrsubnet("010.001.002.000/24", 4, 1)"#, r#""10.1.2.16/28""#),
        (r#"cidrsubnet(var.env == "prod" ? "10.0.0.0/16" : "", 8, var.n)"#, r#""10.0.3.0/24""#),
        (r#"cidrhost("10.0.0.0/8", -1)"#, r#""10.255.255.255""#),
        (r#"cidrhost("192.168.1.7/32", 0)"#, r#""192.168.1.7""#),
        (r#"cidrnetmask("10.0.0.0/32")"#, r#""255.255.255.255""#),
        (r#"cidrnetmask("0.0.0.0/0")"#, r#""0.0.0.0""#),
        (r#"cidrsubnets("10.0.0.0/8")"#, "[]"),
        (r#"cidrsubnets("10.0.0.0/24", 2, 1)"#, r#"["10.0.0.0/26","10.0.0.128/25"]"#),
        // The whole IPv6 space, with u128 arithmetic at its edges.
        (r#"cidrsubnet("::/0", 128, 0)"#, r#""::/128""#),
        (r#"cidrsubnet("2001:db8::/32", 96, 5)"#, r#""2001:db8::5/128""#),
        (r#"cidrhost("::/0", -1)"#, r#""ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff""#),
        (r#"cidrhost("2001:DB8::/64", 255)"#, r#""2001:db8::ff""#),
    ]);
}

#[test]
fn network_functions_fail_where_terraform_fails() {
    check(&[
        (r#"cidrsubnet("10.0.0.0/8", 200, 0)"#, "?(insufficient address space to extend prefix of 8 by 200)"),
        (r#"cidrsubnet("fd00::/8", 121, 0)"#, "?(insufficient address space to extend prefix of 8 by 121)"),
        (
            r#"cidrsubnet("10.0.0.0/24", 4, 16)"#,
            "?(prefix extension of 4 does not accommodate a subnet numbered 16)",
        ),
        (r#"cidrsubnet("10.0.0.0", 4, 1)"#, "?(invalid CIDR expression: invalid CIDR address: 10.0.0.0)"),
        (
            r#"cidrsubnet("10.0.0.0/33", 1, 1)"#,
            "?(invalid CIDR expression: invalid CIDR address: 10.0.0.0/33)",
        ),
        (
            r#"cidrsubnet("256.0.0.0/8", 1, 1)"#,
            "?(invalid CIDR expression: invalid CIDR address: 256.0.0.0/8)",
        ),
        (
            r#"cidrsubnet("10.0.0.0/+8", 1, 1)"#,
            "?(invalid CIDR expression: invalid CIDR address: 10.0.0.0/+8)",
        ),
        (r#"cidrsubnet("10.0.0.0/8", 1.5, 0)"#, "?(cidrsubnet: newbits must be a whole number)"),
        (r#"cidrsubnet("10.0.0.0/8", 8)"#, "?(cidrsubnet: wrong number of arguments (2))"),
        (r#"cidrhost("10.0.0.0/30", 4)"#, "?(prefix of 30 does not accommodate a host numbered 4)"),
        (r#"cidrhost("10.0.0.0/30", -5)"#, "?(prefix of 30 does not accommodate a host numbered -5)"),
        (r#"cidrnetmask("fd00::/8")"#, "?(IPv6 addresses cannot have a netmask: fd00::/8)"),
        (
            r#"cidrsubnets("10.0.0.0/24", 1, 1, 1)"#,
            "?(cidrsubnets: not enough remaining address space for a subnet with a prefix of 25 bits after 10.0.0.128/25)",
        ),
        // Terraform (go-cidr) fails on any prefix at address zero: hashicorp/terraform#35486.
        (
            r#"cidrsubnets("0.0.0.0/1", 1, 1)"#,
            "?(cidrsubnets: not enough remaining address space for a subnet with a prefix of 2 bits after 192.0.0.0/2)",
        ),
        (r#"cidrsubnets("10.0.0.0/8", 33)"#, "?(cidrsubnets: may not extend prefix by more than 32 bits)"),
        (r#"cidrsubnets("10.0.0.0/8", 0)"#, "?(cidrsubnets: must extend prefix by at least one bit)"),
        (
            r#"cidrsubnets("10.0.0.0/30", 4)"#,
            "?(cidrsubnets: would extend prefix to 34 bits, which is too long for an IPv4 address)",
        ),
        // What Terraform computes here is no address of the prefix, or not exactly ours.
        (
            r#"cidrsubnet("10.0.0.0/8", -1, 0)"#,
            "?(cidrsubnet with a negative newbits or netnum is not evaluated)",
        ),
        (r#"cidrhost("::ffff:10.0.0.0/104", 1)"#, "?(IPv4-mapped IPv6 addresses are not evaluated)"),
        (r#"cidrsubnet("::/0", 64, 1e17)"#, "?(cidrsubnet: netnum is too large to evaluate exactly)"),
    ]);
}

#[test]
fn string_functions_follow_terraform() {
    check(&[
        (r#"replace("1 + 2 + 3", "+", "-")"#, r#""1 - 2 - 3""#),
        (r#"replace("abc", "", "-")"#, r#""-a-b-c-""#),
        (
            r#"replace("hello world", "/w.*d/", "everybody")"#,
            "?(replace with a regular expression is not evaluated)",
        ),
        (r#"replace("a/b", "/", "-")"#, r#""a-b""#),
        (r#"substr("hello world", 1, 4)"#, r#""ello""#),
        (r#"substr("🤔🤷", 0, 1)"#, &s("🤔")),
        (r#"substr("hello world", -5, -1)"#, r#""world""#),
        (r#"substr("héllo", 1, 3)"#, &s("éll")),
        (r#"substr("hello", 1, 100)"#, r#""ello""#),
        (r#"substr("hello", 10, 2)"#, r#""""#),
        (r#"substr("hello", -10, 2)"#, r#""he""#),
        (r#"substr("hello", 1, 0)"#, r#""""#),
        (r#"substr("hello", 0.5, 1)"#, "?(substr: the offset must be a whole number)"),
        (r#"trimspace("  hello\n\n")"#, r#""hello""#),
        (r#"trim("?!hello?!", "!?")"#, r#""hello""#),
        (r#"trim("foobar", "")"#, r#""foobar""#),
        (r#"trimprefix("helloworld", "hello")"#, r#""world""#),
        (r#"trimprefix("helloworld", "cat")"#, r#""helloworld""#),
        (r#"trimsuffix("helloworld", "world")"#, r#""hello""#),
        (r#"startswith("hello world", "hello")"#, "true"),
        (r#"startswith("hello world", "world")"#, "false"),
        (r#"startswith("hello", "")"#, "true"),
        (r#"endswith("hello world", "world")"#, "true"),
        (r#"strcontains("hello world", "wor")"#, "true"),
        (r#"strcontains("hello world", "cat")"#, "false"),
        (r#"title("hello world")"#, r#""Hello World""#),
        (r#"title("hello_world-foo bar ßig")"#, &s("Hello_world-Foo Bar ßig")),
        (r#"chomp("hello\n")"#, r#""hello""#),
        (r#"chomp("hello\r\n\n")"#, r#""hello""#),
        (r#"chomp("a\nb")"#, r#""a\nb""#),
        (r#"indent(2, "a\nb\n")"#, r#""a\n  b\n  ""#),
        (r#"indent(4, "one line")"#, r#""one line""#),
        (r#"indent(-1, "a\nb")"#, "?(indent: the number of spaces must not be negative)"),
        (r#"strrev("hello")"#, r#""olleh""#),
        (r#"strrev("héllo")"#, &s("olléh")),
        (r#"formatlist("Hello, %s!", ["Valentina", "Ander"])"#, r#"["Hello, Valentina!","Hello, Ander!"]"#),
        (
            r#"formatlist("%s, %s!", "Salutations", ["Valentina", "Ander"])"#,
            r#"["Salutations, Valentina!","Salutations, Ander!"]"#,
        ),
        (r#"formatlist("%s=%d", local.list, [1, 2, 3])"#, r#"["x=1","y=2","z=3"]"#),
        (r#"formatlist("%s", "x")"#, r#"["x"]"#),
        (r#"formatlist("%s", [])"#, "[]"),
        (
            r#"formatlist("%s-%s", ["a"], ["b", "c"])"#,
            "?(formatlist: argument 3 has length 2, which is inconsistent with argument 2 of length 1)",
        ),
        (
            r#"formatlist("%d", ["x"])"#,
            "?(formatlist: error on format iteration 0: cannot convert \"x\" to a number)",
        ),
        (r#"base64encode("Hello World")"#, r#""SGVsbG8gV29ybGQ=""#),
        (r#"base64encode("ab")"#, r#""YWI=""#),
        (r#"base64encode("")"#, r#""""#),
        (r#"base64decode("SGVsbG8gV29ybGQ=")"#, r#""Hello World""#),
        (r#"base64decode("SGVs\nbG8=")"#, r#""Hello""#),
        (r#"base64decode("SGVsbG8")"#, r#"?(base64decode: failed to decode base64 data "SGVsbG8")"#),
        (r#"base64decode("SG=sbG8=")"#, r#"?(base64decode: failed to decode base64 data "SG=sbG8=")"#),
        (
            r#"base64decode("/w==")"#,
            "?(base64decode: the result of decoding the provided string is not valid UTF-8)",
        ),
        (r#"urlencode("Hello World!")"#, r#""Hello+World%21""#),
        (r#"urlencode("☃")"#, r#""%E2%98%83""#),
        (
            r#"urlencode("foo:bar@localhost?foo=bar&bar=baz")"#,
            r#""foo%3Abar%40localhost%3Ffoo%3Dbar%26bar%3Dbaz""#,
        ),
        (r#"urlencode("a-b_c.d~e")"#, r#""a-b_c.d~e""#),
        (r#"sha256("hello world")"#, r#""b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9""#),
        (
            r#"sha512("hello world")"#,
            r#""309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f""#,
        ),
        (r#"base64sha256("hello world")"#, r#""uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=""#),
        (
            r#"base64sha512("hello world")"#,
            r#""MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw==""#,
        ),
        // Numbers and bools convert to strings; other values do not.
        (r"startswith(12345, 12)", "true"),
        (r"trimspace(local.list)", "?(a list cannot be used as a string)"),
        (r"upper(null)", "?(a null value cannot be used as a string)"),
        (r#"trim("a")"#, "?(trim takes 2 arguments)"),
        // Not evaluated: no regex engine, no md5/sha1 implementation, nothing static.
        (r#"regex("[a-z]+", "abc")"#, "?(function regex is not evaluated)"),
        (r#"regexall("[a-z]+", "abc")"#, "?(function regexall is not evaluated)"),
        (r#"md5("hello world")"#, "?(function md5 is not evaluated)"),
        (r#"sha1("hello world")"#, "?(function sha1 is not evaluated)"),
    ]);
}

#[test]
fn collection_functions_follow_terraform() {
    check(&[
        ("range(3)", "[0,1,2]"),
        ("range(1, 4)", "[1,2,3]"),
        ("range(1, 8, 2)", "[1,3,5,7]"),
        ("range(1, 4, 0.5)", "[1,1.5,2,2.5,3,3.5]"),
        ("range(4, 1)", "[4,3,2]"),
        ("range(10, 5, -2)", "[10,8,6]"),
        ("range(-3)", "[0,-1,-2]"),
        ("range(0)", "[]"),
        ("range(0, 0.35, 0.1)", "[0,0.1,0.2,0.3]"),
        ("length(range(1024))", "1024"),
        ("range(1, 4, 0)", "?(range: step must not be zero)"),
        ("range(1, 4, -1)", "?(range: end must be less than start when step is negative)"),
        ("range(4, 1, 1)", "?(range: end must be greater than start when step is positive)"),
        (r#"flatten([["a", "b"], [], ["c"]])"#, r#"["a","b","c"]"#),
        (r#"flatten([[["a", "b"], []], ["c"]])"#, r#"["a","b","c"]"#),
        ("flatten([{ a = [1] }, 2])", "[{a=[1]},2]"),
        (r#"distinct(["a", "b", "a", "c", "d", "b"])"#, r#"["a","b","c","d"]"#),
        ("distinct([{ a = 1 }, { a = 1 }, [1], [1]])", "[{a=1},[1]]"),
        (r#"compact(["a", "", "b", null, "c"])"#, r#"["a","b","c"]"#),
        (r#"compact([1, ""])"#, r#"["1"]"#),
        (r#"zipmap(["a", "b"], [1, 2])"#, "{a=1,b=2}"),
        (r#"zipmap(["a", "b", "a"], [1, 2, 3])"#, "{a=3,b=2}"),
        (r#"zipmap(["a"], [1, 2])"#, "?(zipmap: number of keys (1) does not match number of values (2))"),
        ("reverse([1, 2, 3])", "[3,2,1]"),
        (r#"reverse("abc")"#, "?(reverse: can only reverse lists, not a string)"),
        (r#"sort(["e", "d", "a", "x"])"#, r#"["a","d","e","x"]"#),
        ("sort([10, 9, 1])", r#"["1","10","9"]"#),
        (r#"sort(["a", null])"#, "?(sort: the list has a null element)"),
        (r#"slice(["a", "b", "c", "d"], 1, 3)"#, r#"["b","c"]"#),
        (r#"slice(["a"], 1, 1)"#, "[]"),
        ("slice([1], 0, 2)", "?(slice: end index must not be greater than the length of the list)"),
        ("slice([1, 2], 2, 1)", "?(slice: start index must not be greater than end index)"),
        (r#"index(["a", "b", "c"], "b")"#, "1"),
        (r#"index(["a"], "z")"#, "?(index: item not found)"),
        (r#"index([], "z")"#, "?(index: cannot search an empty list)"),
        ("one([])", "null"),
        (r#"one(["hello"])"#, r#""hello""#),
        (
            r#"one(["a", "b"])"#,
            "?(one: must be a list, set, or tuple value with either zero or one elements)",
        ),
        (r#"coalescelist(["a", "b"], ["c", "d"])"#, r#"["a","b"]"#),
        (r#"coalescelist([], ["c", "d"])"#, r#"["c","d"]"#),
        ("coalescelist([], [])", "?(coalescelist: no non-empty list argument)"),
        (r#"setunion(["a", "b"], ["b", "c"], ["d"])"#, r#"["a","b","c","d"]"#),
        (r#"setintersection(["a", "b"], ["b", "c"], ["b", "d"])"#, r#"["b"]"#),
        (r#"setsubtract(["a", "b", "c"], ["a", "c"])"#, r#"["b"]"#),
        ("setunion([3, 1], [2, 1])", "[1,2,3]"),
        (
            r#"setproduct(["development", "staging", "production"], ["app1", "app2"])"#,
            r#"[["development","app1"],["development","app2"],["staging","app1"],["staging","app2"],["production","app1"],["production","app2"]]"#,
        ),
        (r#"setproduct(["a"], [])"#, "[]"),
        (r#"setproduct(["a"])"#, "?(setproduct: at least two arguments are required)"),
        (r#"chunklist(["a", "b", "c", "d", "e"], 2)"#, r#"[["a","b"],["c","d"],["e"]]"#),
        (r#"chunklist(["a", "b"], 0)"#, r#"[["a","b"]]"#),
        ("chunklist([], -1)", "[]"),
        ("chunklist([1], -1)", "?(chunklist: the size argument must be positive)"),
        (r#"transpose({ a = ["1", "2"], b = ["2", "3"] })"#, r#"{1=["a"],2=["a","b"],3=["b"]}"#),
        ("transpose({ a = 1 })", "?(transpose: input must be a map of lists of strings)"),
        (
            r#"matchkeys(["i-123", "i-abc", "i-def"], ["us-west", "us-east", "us-east"], ["us-east"])"#,
            r#"["i-abc","i-def"]"#,
        ),
        (r#"matchkeys(["a"], ["k"], [])"#, "[]"),
        (r#"matchkeys(["a"], [], ["k"])"#, "?(matchkeys: length of keys and values should be equal)"),
        ("sum([10, 13, 6, 4.5])", "33.5"),
        (r#"sum(["1", 2])"#, "3"),
        ("sum([])", "?(sum: cannot sum an empty list)"),
        ("sum([null])", "?(sum: argument must be list, set, or tuple of number values)"),
        (r#"alltrue(["true", true])"#, "true"),
        ("alltrue([true, false])", "false"),
        ("alltrue([])", "true"),
        (r#"anytrue(["true"])"#, "true"),
        ("anytrue([false, null])", "false"),
        ("anytrue([])", "false"),
        (r"alltrue([1])", "?(alltrue needs a list of bools, not of a number)"),
        ("toset([3, 1, 2, 1])", "[1,2,3]"),
        // Existing functions keep their behaviour.
        ("merge({ a = 1, b = 2 }, { a = 3 })", "{a=3,b=2}"),
        (r#"coalesce(null, "", "x")"#, r#""x""#),
        (r#"lookup({ a = 1 }, "b", 2)"#, "2"),
    ]);
}

#[test]
fn number_functions_follow_terraform() {
    check(&[
        ("abs(23)", "23"),
        ("abs(-12.4)", "12.4"),
        ("ceil(5.1)", "6"),
        ("ceil(5)", "5"),
        ("ceil(-0.5)", "0"),
        ("floor(4.9)", "4"),
        ("floor(-4.1)", "-5"),
        ("pow(3, 2)", "9"),
        ("pow(4, 0)", "1"),
        ("pow(2, -1)", "0.5"),
        ("signum(-13)", "-1"),
        ("signum(0)", "0"),
        ("signum(344)", "1"),
        ("log(50, 10)", "1.6989700043360185"),
        ("log(16, 2)", "4"),
        (r#"parseint("100", 10)"#, "100"),
        (r#"parseint("FF", 16)"#, "255"),
        (r#"parseint("-10", 16)"#, "-16"),
        (r#"parseint("+7", 8)"#, "7"),
        (r#"parseint("1011111011101111", 2)"#, "48879"),
        (r#"parseint("aA", 62)"#, "656"),
        (r#"parseint("zZ", 36)"#, "1295"),
        (r#"parseint("12", 2)"#, r#"?(parseint: cannot parse "12" as a base 2 integer)"#),
        (r#"parseint("", 10)"#, r#"?(parseint: cannot parse "" as a base 10 integer)"#),
        (r#"parseint("1", 63)"#, "?(parseint: base must be a whole number between 2 and 62 inclusive)"),
        ("parseint(10, 10)", "?(parseint: the first argument must be a string, not a number)"),
        (r#"parseint("ffffffffffffffffff", 16)"#, "?(parseint: the number is too large to evaluate exactly)"),
        (r#"abs("-3")"#, "3"),
        (r#"abs("x")"#, r#"?(cannot convert "x" to a number)"#),
        // Terraform fails on NaN; its infinities are beyond our numbers.
        ("log(-1, 10)", "?(log: the result is not a number)"),
        ("pow(10, 400)", "?(pow: the result is infinite, which is not evaluated)"),
        ("min(3, 1, 2)", "1"),
        ("max(3, 1, 2)", "3"),
    ]);
}

#[test]
fn misc_functions_are_identity_or_not_evaluated() {
    check(&[
        (r#"sensitive("x")"#, r#""x""#),
        ("nonsensitive(local.m)", r#"{a=1,b="two"}"#),
        ("sensitive(aws_x.y.z)", UNKNOWN),
        ("type(1)", "?(function type is not evaluated)"),
        ("timestamp()", "?(function timestamp is not evaluated)"),
        ("uuid()", "?(function uuid is not evaluated)"),
        (r#"bcrypt("x")"#, "?(function bcrypt is not evaluated)"),
        (r#"file("x")"#, "?(function file is not evaluated)"),
        (r#"fileexists("x")"#, "?(function fileexists is not evaluated)"),
        (r#"templatefile("x", {})"#, "?(function templatefile is not evaluated)"),
    ]);
}

#[test]
fn jsonencode_shows_its_argument_and_keeps_its_text() {
    // The document shows the structure; the text is what a template or `format` sees.
    let text_of = |expr: &str| eval(&format!("\"=${{{expr}}}\""));
    let written = r#"jsonencode({ b = [1, true, null], a = "<x>" })"#;
    assert_eq!(eval(written), r#"{b=[1,true,null],a="<x>"}"#);
    assert_eq!(text_of(written), s(r#"={"a":"\u003cx\u003e","b":[1,true,null]}"#));
    assert_eq!(eval(r#"format("%s", jsonencode("x"))"#), s(r#""x""#));
    assert_eq!(text_of("jsonencode(local.m)"), s(r#"={"a":1,"b":"two"}"#));
    // An unknown part: the text is unknown, the structure is still shown.
    assert_eq!(eval("jsonencode([1, aws_x.y.z])"), format!("[1,{UNKNOWN}]"));
    assert_eq!(text_of("jsonencode([1, aws_x.y.z])"), UNKNOWN);
    // Errors come first: they are what Terraform reports.
    assert_eq!(text_of("jsonencode([aws_x.y.z, local.m.nope])"), r#"?(the object has no attribute "nope")"#);
    assert_eq!(eval("can(jsonencode([aws_x.y.z, local.m.nope]))"), "false");
    assert_eq!(eval("jsonencode(1, 2)"), "?(jsonencode takes 1 argument)");
    assert_eq!(eval("jsondecode(jsonencode({ a = [1] })).a"), "[1]");

    // The decoded value is the argument itself, spans untouched.
    let at = At { file: 0, span: Span::new(3, 9), key_span: None };
    let mut item = Value::string("x");
    item.at = Some(at);
    let mut arg = Value::new(ValueKind::List(vec![item]));
    arg.at = Some(At { file: 0, span: Span::new(2, 10), key_span: None });
    let result = jsonencode(vec![arg]);
    assert_eq!(result.as_str(), Some(r#"["x"]"#));
    let decoded = result.decoded.expect("the argument as the structure");
    assert_eq!(decoded.at.map(|a| a.span), Some(Span::new(2, 10)));
    let ValueKind::List(items) = &decoded.kind else { panic!("a list") };
    assert_eq!(items[0].at, Some(at));
    let unknown = jsonencode(vec![Value::new(ValueKind::List(vec![Value::unknown("later")]))]);
    assert_eq!(unknown.as_unknown().map(|u| u.reason.as_str()), Some("later"));
    assert!(unknown.decoded.is_some());
}

#[test]
fn unknowns_propagate_deeply_or_shallowly_as_in_terraform() {
    let u = UNKNOWN;
    check(&[
        // Functions that read their whole argument are unknown if any part is.
        ("upper(aws_x.y.z)", u),
        (r"cidrsubnet(var.unset, 8, 1)", "?(var.unset has no default and no value was given)"),
        (r#"cidrhost("10.0.0.0/8", aws_x.y.z)"#, u),
        (r#"sort(["a", aws_x.y.z])"#, u),
        (r#"distinct(["a", aws_x.y.z])"#, u),
        (r#"setunion(["a"], [aws_x.y.z])"#, u),
        (r"sum([1, aws_x.y.z])", u),
        (r"transpose({ a = [aws_x.y.z] })", u),
        // Functions that only look at the top level pass nested unknowns through.
        (r"reverse([1, aws_x.y.z])", &format!("[{u},1]")),
        (r"slice([aws_x.y.z, 1], 1, 2)", "[1]"),
        (r"one([aws_x.y.z])", u),
        (r"chunklist([1, aws_x.y.z], 1)", &format!("[[1],[{u}]]")),
        (r#"zipmap(["a"], [aws_x.y.z])"#, &format!("{{a={u}}}")),
        (r#"zipmap(["a", aws_x.y.z], [1, 2])"#, u),
        (r#"setproduct(["a"], [aws_x.y.z])"#, &format!("[[\"a\",{u}]]")),
        (r"flatten([[1], [{ a = aws_x.y.z }]])", &format!("[1,{{a={u}}}]")),
        // An unknown element may be a list that flatten would splice in.
        (r"flatten([[1], aws_x.y.z])", u),
        (r#"formatlist("%s", [aws_x.y.z, "b"])"#, &format!("[{u},\"b\"]")),
        (r#"index([aws_x.y.z, "a"], "a")"#, u),
        (r#"index(["a", aws_x.y.z], "a")"#, "0"),
        (r"reverse(aws_x.y.z)", u),
        // A known decision wins over a later unknown.
        (r"alltrue([false, aws_x.y.z])", "false"),
        (r"alltrue([aws_x.y.z, false])", u),
        (r"anytrue([aws_x.y.z, true])", "true"),
        (r"anytrue([false, aws_x.y.z])", u),
        (r#"coalesce("a", aws_x.y.z)"#, r#""a""#),
        (r#"coalesce(aws_x.y.z, "a")"#, u),
        (r#"coalescelist(["a"], aws_x.y.z)"#, r#"["a"]"#),
        (r#"coalescelist([], aws_x.y.z, ["a"])"#, u),
    ]);
}

#[test]
fn hostile_arguments_stay_bounded() {
    let big_key = r#"join("", [for i in range(1000) : format("%1000s", i)])"#;
    check(&[
        (
            "range(0, 1e9)",
            "?(range: more than 1024 values were generated; either decrease the difference between start and end or use a smaller step)",
        ),
        (
            "range(0, 1, 1e-300)",
            "?(range: more than 1024 values were generated; either decrease the difference between start and end or use a smaller step)",
        ),
        (
            "setproduct(range(1024), range(1024), range(1024))",
            "?(setproduct: the product is too large to evaluate)",
        ),
        ("setproduct(range(1000), range(1000))", "?(setproduct: the product is too large to evaluate)"),
        ("length(setproduct(range(100), range(100)))", "10000"),
        (r#"indent(1000000, join("\n", range(1024)))"#, "?(the string is too large to evaluate)"),
        (r#"indent(1e15, "one line")"#, r#""one line""#),
        (r#"cidrsubnet("10.0.0.0/8", 200, 0)"#, "?(insufficient address space to extend prefix of 8 by 200)"),
        (
            r#"replace(join("", [for i in range(1024) : format("%1000s", "")]), " ", "xx")"#,
            "?(the string is too large to evaluate)",
        ),
        (r#"length(formatlist("%s%s", [for i in range(1024) : format("%1000s", "")], range(1024)))"#, "1024"),
        (
            r#"length(formatlist("%s%s", [for i in range(1024) : format("%1000s", "")], [for i in range(1024) : format("%1000s", "")]))"#,
            "?(the string is too large to evaluate)",
        ),
        (&format!("length({big_key})"), "1000000"),
        (&format!("base64encode({big_key})"), "?(the string is too large to evaluate)"),
        (&format!("urlencode(replace({big_key}, \" \", \"/\"))"), "?(the string is too large to evaluate)"),
        (
            &format!("transpose({{ ({big_key}) = [for i in range(1024) : tostring(i)] }})"),
            "?(transpose: the result is too large to evaluate)",
        ),
        (&format!("length(distinct(concat({0}, {0}, {0})))", "range(1024)"), "1024"),
    ]);
}

#[test]
fn indent_on_a_mebibyte_string_is_checked_before_it_is_built() {
    let big = "ab\\n".repeat(300_000);
    assert_eq!(eval(&format!("indent(2, \"{big}\")")), "?(the string is too large to evaluate)");
    assert_eq!(eval(&format!("length(indent(0, \"{big}\"))")), "900000");
    assert_eq!(eval(&format!("length(replace(\"{big}\", \"\\n\", \"\"))")), "600000");
}

/// Every function with every small combination of awkward arguments: no panic, and every
/// known name has an implementation for some number of arguments.
#[test]
fn every_function_survives_awkward_arguments() {
    let pool = [
        Value::new(ValueKind::Null),
        Value::new(ValueKind::Bool(true)),
        Value::new(ValueKind::Number(-1.0)),
        Value::new(ValueKind::Number(1e300)),
        Value::new(ValueKind::Number(0.5)),
        Value::string(""),
        Value::string("10.0.0.0/8"),
        Value::string("::/0"),
        Value::string("/x/"),
        Value::new(ValueKind::List(vec![Value::string("a"), Value::new(ValueKind::Number(2.0))])),
        Value::new(ValueKind::List(vec![Value::new(ValueKind::List(Vec::new()))])),
        Value::new(ValueKind::Object(vec![(
            "k".to_owned(),
            Value::new(ValueKind::List(vec![Value::string("v")])),
        )])),
        Value::unknown("later"),
        Value::error("broken"),
    ];
    let mut calls = 0;
    let mut unimplemented: Vec<&str> = Vec::new();
    for name in KNOWN {
        let mut implemented = false;
        for arity in 0..=3u32 {
            let combinations = pool.len().pow(arity);
            for mut n in 0..combinations {
                let args: Vec<Value> = (0..arity)
                    .map(|_| {
                        let v = pool[n % pool.len()].clone();
                        n /= pool.len();
                        v
                    })
                    .collect();
                let result = if *name == "jsonencode" { jsonencode(args) } else { eager(name, &args) };
                implemented |=
                    result.as_unknown().is_none_or(|u| !u.reason.contains("wrong number of arguments"));
                calls += 1;
            }
        }
        if !implemented {
            unimplemented.push(name);
        }
    }
    assert!(unimplemented.is_empty(), "never evaluated: {unimplemented:?}");
    assert!(calls > 100_000, "{calls} calls");
}
