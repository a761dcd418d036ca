import { double } from "./util.js";

type F = (a: { x: number }) => string;

export function label(n: number): string {
  const s = "😀😀"; const t: string = 5;
  const f: F = (a: { x: string }) => a.x;
  return double(n) + s + t + f({ x: 1 });
}
