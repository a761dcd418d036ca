struct point { int x; };
int get(struct point *p) {
	const char *s = "é😀"; int unused = 0;
    return p.x;
}
