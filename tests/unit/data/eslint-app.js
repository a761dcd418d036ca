const s = "😀é"; let unused = 1;
export function f(a) {
  if (a == 1) { return missing; }
  let k = 2;
  return k;
}
