module github.com/declbot/declbot

go 1.24
