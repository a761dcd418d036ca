package pkg

import "fmt"

func Label(n int) string {
	s := "😀é"; var t int = 1; _ = t
	fmt.Printf("%d\n", s)
	return fmt.Sprint(n)
}
