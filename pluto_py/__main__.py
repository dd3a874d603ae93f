from pluto_py.cli import main

main()
