from django.shortcuts import render


def home(request):
    return render(request, "intake/home.html")


def privacy(request):
    return render(request, "intake/privacy.html")


def start(request):
    return render(request, "intake/start.html")
