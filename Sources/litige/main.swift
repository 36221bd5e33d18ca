import LitigeCLI

LitigeCommand.runMain()
