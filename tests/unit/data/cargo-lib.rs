mod util;

pub fn label(n: i32) -> String {
    let s = "😀é"; let t: i32 = "x";
    util::double(n)
}

#[cfg(test)]
mod tests {
    #[test]
    fn t() { let x: u8 = 300; }
}
