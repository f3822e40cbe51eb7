"pto.x"() {s = "abc} : () -> ()
