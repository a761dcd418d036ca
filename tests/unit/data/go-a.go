package pkg

import "fmt"

func Label(n int) string {
	s := "😀é"; var t int = "x"
	fmt.Printf("%d\n", s)
	return n + undefinedThing
}
