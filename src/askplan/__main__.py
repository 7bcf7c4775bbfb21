from askplan.cli import main

main()
