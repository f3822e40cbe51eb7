from ptofix.cli import console_main

console_main()
