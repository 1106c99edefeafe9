"""Reference PyTorch versions of blur2blur's architectures, for parity fixtures only.

Written for this project from the papers and the published facts of each network (layer lists, key
names, shapes); each mirrors the TypeScript model in src/models/ and the official state_dict layout.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


# ---- NAFNet --------------------------------------------------------------------------------------
class LayerNorm2d(nn.Module):
    def __init__(self, c, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.bias = nn.Parameter(torch.zeros(c))
        self.eps = eps

    def forward(self, x):
        # Per pixel over channels, biased variance: layer_norm on the channels-last view (the fastest
        # form here, and what blur2blur runs).
        return F.layer_norm(x.permute(0, 2, 3, 1), (x.shape[1],), self.weight, self.bias, self.eps).permute(0, 3, 1, 2)


def gate(x):
    a, b = x.chunk(2, dim=1)
    return a * b


class NAFBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, 2 * c, 1)
        self.conv2 = nn.Conv2d(2 * c, 2 * c, 3, padding=1, groups=2 * c)
        self.conv3 = nn.Conv2d(c, c, 1)
        self.sca = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(c, c, 1))
        self.conv4 = nn.Conv2d(c, 2 * c, 1)
        self.conv5 = nn.Conv2d(c, c, 1)
        self.norm1 = LayerNorm2d(c)
        self.norm2 = LayerNorm2d(c)
        self.beta = nn.Parameter(torch.zeros(1, c, 1, 1))
        self.gamma = nn.Parameter(torch.zeros(1, c, 1, 1))

    def forward(self, inp):
        x = gate(self.conv2(self.conv1(self.norm1(inp))))
        x = self.conv3(x * self.sca(x))
        y = inp + x * self.beta
        return y + self.conv5(gate(self.conv4(self.norm2(y)))) * self.gamma


class NAFNet(nn.Module):
    def __init__(self, width, enc, middle, dec, img=3):
        super().__init__()
        self.intro = nn.Conv2d(img, width, 3, padding=1)
        self.ending = nn.Conv2d(width, img, 3, padding=1)
        # Registration order is the official state_dict order: intro, ending, encoders, decoders, middle_blks, ups, downs.
        self.encoders, self.decoders = nn.ModuleList(), nn.ModuleList()
        self.middle_blks = nn.Sequential()
        self.ups, self.downs = nn.ModuleList(), nn.ModuleList()
        c = width
        for n in enc:
            self.encoders.append(nn.Sequential(*[NAFBlock(c) for _ in range(n)]))
            self.downs.append(nn.Conv2d(c, 2 * c, 2, 2))
            c *= 2
        for _ in range(middle):
            self.middle_blks.append(NAFBlock(c))
        for n in dec:
            self.ups.append(nn.Sequential(nn.Conv2d(c, 2 * c, 1, bias=False), nn.PixelShuffle(2)))
            c //= 2
            self.decoders.append(nn.Sequential(*[NAFBlock(c) for _ in range(n)]))
        self.mult = 2 ** len(enc)

    def forward(self, inp):
        _, _, h, w = inp.shape
        m = self.mult
        inp = F.pad(inp, (0, (m - w % m) % m, 0, (m - h % m) % m))
        x = self.intro(inp)
        skips = []
        for e, d in zip(self.encoders, self.downs):
            x = e(x)
            skips.append(x)
            x = d(x)
        x = self.middle_blks(x)
        for dec, up, s in zip(self.decoders, self.ups, skips[::-1]):
            x = dec(up(x) + s)
        return (self.ending(x) + inp)[:, :, :h, :w]


# ---- MIMO-UNet -----------------------------------------------------------------------------------
class BasicConv(nn.Module):
    def __init__(self, cin, cout, k, stride=1, relu=True, transpose=False):
        super().__init__()
        if transpose:
            conv = nn.ConvTranspose2d(cin, cout, k, stride=stride, padding=k // 2 - 1)
        else:
            conv = nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2)
        self.main = nn.Sequential(conv, nn.ReLU()) if relu else nn.Sequential(conv)

    def forward(self, x):
        return self.main(x)


class ResBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.main = nn.Sequential(BasicConv(c, c, 3), BasicConv(c, c, 3, relu=False))

    def forward(self, x):
        return self.main(x) + x


class Stage(nn.Module):
    def __init__(self, c, n):
        super().__init__()
        self.layers = nn.Sequential(*[ResBlock(c) for _ in range(n)])

    def forward(self, x):
        return self.layers(x)


class AFF(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Sequential(BasicConv(cin, cout, 1), BasicConv(cout, cout, 3, relu=False))

    def forward(self, a, b, c):
        return self.conv(torch.cat([a, b, c], 1))


class SCM(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.main = nn.Sequential(BasicConv(3, p // 4, 3), BasicConv(p // 4, p // 2, 1), BasicConv(p // 2, p // 2, 3), BasicConv(p // 2, p - 3, 1))
        self.conv = BasicConv(p, p, 1, relu=False)

    def forward(self, x):
        return self.conv(torch.cat([x, self.main(x)], 1))


class FAM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.merge = BasicConv(c, c, 3, relu=False)

    def forward(self, a, b):
        return a + self.merge(a * b)


class MIMOUNet(nn.Module):
    def __init__(self, n=8, b=32):
        super().__init__()
        self.Encoder = nn.ModuleList([Stage(b, n), Stage(2 * b, n), Stage(4 * b, n)])
        self.feat_extract = nn.ModuleList([BasicConv(3, b, 3), BasicConv(b, 2 * b, 3, 2), BasicConv(2 * b, 4 * b, 3, 2),
                                           BasicConv(4 * b, 2 * b, 4, 2, transpose=True), BasicConv(2 * b, b, 4, 2, transpose=True),
                                           BasicConv(b, 3, 3, relu=False)])
        self.Decoder = nn.ModuleList([Stage(4 * b, n), Stage(2 * b, n), Stage(b, n)])
        self.Convs = nn.ModuleList([BasicConv(4 * b, 2 * b, 1), BasicConv(2 * b, b, 1)])
        self.ConvsOut = nn.ModuleList([BasicConv(4 * b, 3, 3, relu=False), BasicConv(2 * b, 3, 3, relu=False)])
        self.AFFs = nn.ModuleList([AFF(7 * b, b), AFF(7 * b, 2 * b)])
        self.FAM1, self.SCM1 = FAM(4 * b), SCM(4 * b)
        self.FAM2, self.SCM2 = FAM(2 * b), SCM(2 * b)

    def forward(self, x):
        down = lambda t: F.interpolate(t, scale_factor=0.5)
        up = lambda t: F.interpolate(t, scale_factor=2)
        x2 = down(x)
        x4 = down(x2)
        z2, z4 = self.SCM2(x2), self.SCM1(x4)
        fe = self.feat_extract
        res1 = self.Encoder[0](fe[0](x))
        res2 = self.Encoder[1](self.FAM2(fe[1](res1), z2))
        z = self.Encoder[2](self.FAM1(fe[2](res2), z4))
        z12, z21, z42 = down(res1), up(res2), up(z)
        z41 = up(z42)
        f2 = self.AFFs[1](z12, res2, z42)
        f1 = self.AFFs[0](res1, z21, z41)
        z = self.Decoder[0](z)
        o4 = self.ConvsOut[0](z) + x4
        z = self.Decoder[1](self.Convs[0](torch.cat([fe[3](z), f2], 1)))
        o2 = self.ConvsOut[1](z) + x2
        z = self.Decoder[2](self.Convs[1](torch.cat([fe[4](z), f1], 1)))
        return [o4, o2, fe[5](z) + x]


# ---- PatchGAN ------------------------------------------------------------------------------------
def patchgan(ndf=64, n_layers=3):
    layers = [nn.Conv2d(3, ndf, 4, 2, 1), nn.LeakyReLU(0.2)]
    mult = 1
    for n in range(1, n_layers + 1):
        prev, mult = mult, min(2 ** n, 8)
        layers += [nn.Conv2d(ndf * prev, ndf * mult, 4, 2 if n < n_layers else 1, 1), nn.InstanceNorm2d(ndf * mult), nn.LeakyReLU(0.2)]
    layers += [nn.Conv2d(ndf * mult, 1, 4, 1, 1)]
    m = nn.Module()
    m.model = nn.Sequential(*layers)
    m.forward = lambda x: m.model(x)
    return m


# ---- VGG -----------------------------------------------------------------------------------------
def vgg(depth):
    cfg = {16: [2, 2, 3, 3, 3], 19: [2, 2, 4, 4, 4]}[depth]
    widths = [64, 128, 256, 512, 512]
    layers, cin = [], 3
    for reps, w in zip(cfg, widths):
        for _ in range(reps):
            layers += [nn.Conv2d(cin, w, 3, padding=1), nn.ReLU()]
            cin = w
        layers += [nn.MaxPool2d(2)]
    m = nn.Module()
    m.features = nn.Sequential(*layers)
    return m


# ---- KernelWizard --------------------------------------------------------------------------------
class ResNoBN(nn.Module):
    def __init__(self, nf):
        super().__init__()
        self.conv1 = nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv2 = nn.Conv2d(nf, nf, 3, 1, 1)

    def forward(self, x):
        return x + self.conv2(F.relu(self.conv1(x)))


class ResnetBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv_block = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3, bias=False), nn.Identity(), nn.ReLU(),
                                        nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3, bias=False), nn.Identity())

    def forward(self, x):
        return x + self.conv_block(x)


class UnetLevel(nn.Module):
    def __init__(self, outer, inner, kind, sub=None):
        super().__init__()
        self.kind = kind
        conv = nn.Conv2d(outer, inner, 4, 2, 1, bias=False)
        self.down = nn.Sequential(conv) if kind == 'outermost' else nn.Sequential(nn.Identity(), conv)
        if sub is not None:
            self.submodule = sub
        self.up = nn.Sequential(nn.ReLU(), nn.ConvTranspose2d(2 * inner, outer, 4, 2, 1, bias=kind == 'outermost'),
                                nn.Tanh() if kind == 'outermost' else nn.Identity())

    def forward(self, x, k):
        if self.kind == 'outermost':
            return self.up(self.submodule(self.down(x), k))
        a = F.leaky_relu(x, 0.2)
        inner = torch.cat([self.down(a), k], 1) if self.kind == 'innermost' else self.submodule(self.down(a), k)
        return torch.cat([self.up(inner), a], 1)


class KernelWizard(nn.Module):
    def __init__(self, nf=64, front=10, back=20, kdim=512, blocks=4, vae=False):
        super().__init__()
        lr = lambda: nn.LeakyReLU(0.1)
        self.vae, self.kdim = vae, kdim
        self.feature_extractor = nn.Sequential(nn.Conv2d(3, nf, 3, 1, 1), lr(), nn.Conv2d(nf, nf, 3, 2, 1), lr(),
                                               nn.Conv2d(nf, nf, 3, 2, 1), lr(), *[ResNoBN(nf) for _ in range(front)])
        out = 2 * kdim if vae else kdim
        ke = [nn.ReflectionPad2d(3), nn.Conv2d(2 * nf, nf, 7, bias=False), nn.Identity(), nn.ReLU()]
        for i in range(5):
            m = 2 ** i
            ke += [nn.Conv2d(min(nf * m, out), min(nf * m * 2, out), 3, 2, 1, bias=False), nn.Identity(), nn.ReLU()]
        ke += [ResnetBlock(out) for _ in range(blocks)]
        self.kernel_extractor = nn.Module()
        self.kernel_extractor.model = nn.Sequential(*ke)
        lvl = UnetLevel(8 * nf, 8 * nf, 'innermost')
        lvl = UnetLevel(4 * nf, 8 * nf, 'middle', lvl)
        lvl = UnetLevel(2 * nf, 4 * nf, 'middle', lvl)
        lvl = UnetLevel(nf, 2 * nf, 'middle', lvl)
        self.adapter = nn.Module()
        self.adapter.model = UnetLevel(nf, nf, 'outermost', lvl)
        self.recon_trunk = nn.Sequential(*[ResNoBN(nf) for _ in range(back)], nn.Conv2d(nf, 4 * nf, 3, 1, 1), nn.PixelShuffle(2), lr(),
                                         nn.Conv2d(nf, 256, 3, 1, 1), nn.PixelShuffle(2), lr(), nn.Conv2d(64, 64, 3, 1, 1), lr(),
                                         nn.Conv2d(64, 3, 3, 1, 1))

    def extract(self, sharp, blur):
        out = self.kernel_extractor.model(torch.cat([self.feature_extractor(sharp), self.feature_extractor(blur)], 1))
        return out[:, :self.kdim] if self.vae else out

    def adapt(self, sharp, k):
        return self.recon_trunk(self.adapter.model(self.feature_extractor(sharp), k)) + sharp
