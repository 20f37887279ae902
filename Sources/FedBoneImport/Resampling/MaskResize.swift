/// Resizing of label and binary maps, which must not blend values.
enum MaskResize {
    /// Nearest neighbour by pixel centre: output pixel `o` of a source run `[start, start +
    /// length)` resized to `target` takes source pixel `start + ⌊(o + ½)·length/target⌋` (the
    /// Python importers' `resize_nearest`). Used for labels, so every label stays a label.
    static func nearest<T>(_ values: [T], width: Int, region: Region, target: Int) -> [T] {
        let xs = (0..<target).map { region.x + min(Int((Double($0) + 0.5) * Double(region.width) / Double(target)), region.width - 1) }
        let ys = (0..<target).map { region.y + min(Int((Double($0) + 0.5) * Double(region.height) / Double(target)), region.height - 1) }
        var out: [T] = []
        out.reserveCapacity(target * target)
        for y in ys {
            for x in xs { out.append(values[y * width + x]) }
        }
        return out
    }

    /// A binary map in which output pixel `o` is 1 when any source pixel it covers, `[start +
    /// o·length/target, start + (o+1)·length/target)` (at least the one under its start), is 1:
    /// thin boundaries survive downscaling.
    static func any(_ values: [UInt8], width: Int, region: Region, target: Int) -> [UInt8] {
        func spans(start: Int, length: Int) -> [Range<Int>] {
            (0..<target).map { o in
                let lower = start + o * length / target
                let upper = start + ((o + 1) * length + target - 1) / target
                return lower..<max(upper, lower + 1)
            }
        }
        let xs = spans(start: region.x, length: region.width)
        let ys = spans(start: region.y, length: region.height)
        var out = [UInt8](repeating: 0, count: target * target)
        for (oy, rows) in ys.enumerated() {
            for (ox, columns) in xs.enumerated() {
                search: for y in rows {
                    for x in columns where values[y * width + x] != 0 {
                        out[oy * target + ox] = 1
                        break search
                    }
                }
            }
        }
        return out
    }
}
