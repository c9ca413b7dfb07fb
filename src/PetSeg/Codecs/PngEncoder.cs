using SkiaSharp;

namespace PetSeg.Codecs;

/// <summary>Writes 8-bit PNG (gray, RGB or RGBA, as the image has channels) with libpng through SkiaSharp.</summary>
public static class PngEncoder
{
    public static byte[] Encode(Image8 image) =>
        SkiaEncoder.Encode(image, pixmap => pixmap.Encode(SKPngEncoderOptions.Default), "PNG");
}
