import FedBoneLayers

/// The token shuffles of Swin: windows, padding and the shifted-window mask (timm semantics).
enum SwinWindows {
    /// The row maps of a block's token shuffle for `batch` images of `h × w` tokens, for
    /// ``Tensor/placedRows(_:)``: `partition` takes the `[B·H·W]` token rows to window rows
    /// `[B·nW·N]` (cyclic shift by −`shift`, zero padding at the bottom and right to a multiple
    /// of the window, then windows in row-major order); `merge` takes the window rows back to
    /// token rows (dropping the padding, shift by +`shift`). The composition is the identity on
    /// tokens, as timm's roll → pad → window_partition and window_reverse → crop → roll.
    static func rowMaps(batch: Int, height h: Int, width w: Int, window: (Int, Int), shift: (Int, Int))
        -> (partition: [Int], merge: [Int]) {
        let (wh, ww) = window
        let ph = (h + wh - 1) / wh * wh, pw = (w + ww - 1) / ww * ww
        let nWh = ph / wh, nWw = pw / ww, n = wh * ww
        var partition = [Int](repeating: -1, count: batch * nWh * nWw * n)
        var merge = [Int](repeating: 0, count: batch * h * w)
        for b in 0..<batch {
            for i in 0..<ph {
                for j in 0..<pw {
                    let row = ((b * nWh + i / wh) * nWw + j / ww) * n + (i % wh) * ww + j % ww
                    guard i < h && j < w else { continue }
                    // Padded position (i, j) of the shifted grid holds token ((i + sh) mod h, (j + sw) mod w).
                    let token = b * h * w + ((i + shift.0) % h) * w + (j + shift.1) % w
                    partition[row] = token
                    merge[token] = row
                }
            }
        }
        return (partition, merge)
    }

    /// `[B, H, W, C] → [B·(H/wh)·(W/ww), wh·ww, C]`, windows in row-major order.
    static func partition(_ x: Tensor, height wh: Int, width ww: Int) -> Tensor {
        let b = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3]
        return x.reshaped([b, h / wh, wh, w / ww, ww, c]).permuted([0, 1, 3, 2, 4, 5]).reshaped([-1, wh * ww, c])
    }

    /// Pads `[B, H, W, C]` with zeros at the bottom and right, as `F.pad(x, (0, 0, 0, pw, 0, ph))`.
    static func padBottomRight(_ x: Tensor, height ph: Int, width pw: Int) -> Tensor {
        var y = x
        if ph > 0 {
            y = Tensor.concatenate([y, .zeros([y.shape[0], ph, y.shape[2], y.shape[3]])], axis: 1)
        }
        if pw > 0 {
            y = Tensor.concatenate([y, .zeros([y.shape[0], y.shape[1], pw, y.shape[3]])], axis: 2)
        }
        return y
    }

    /// timm's shifted-window attention mask for a padded `h × w` grid: tokens from different
    /// regions of the cyclically shifted image get −100, others 0. Shape `[nW, N, N]`.
    static func shiftedMask(height h: Int, width w: Int, window: (Int, Int), shift: (Int, Int)) -> Tensor {
        func regions(_ n: Int, _ win: Int, _ s: Int) -> [Range<Int>] {
            [0..<(n - win), (n - win)..<(n - s), (n - s)..<n]
        }
        var label = [Float](repeating: 0, count: h * w)
        var count: Float = 0
        for rh in regions(h, window.0, shift.0) {
            for rw in regions(w, window.1, shift.1) {
                for i in rh { for j in rw { label[i * w + j] = count } }
                count += 1
            }
        }
        let labels = Tensor(uncheckedShape: [1, h, w, 1], scalars: label)
        let windows = partition(labels, height: window.0, width: window.1)
        let nW = windows.shape[0], n = window.0 * window.1
        var mask = [Float](repeating: 0, count: nW * n * n)
        for k in 0..<nW {
            for i in 0..<n {
                for j in 0..<n where windows.scalars[k * n + i] != windows.scalars[k * n + j] {
                    mask[(k * n + i) * n + j] = -100
                }
            }
        }
        return Tensor(uncheckedShape: [nW, n, n], scalars: mask)
    }
}
