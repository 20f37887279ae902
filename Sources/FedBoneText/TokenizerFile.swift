import Foundation

/// Reads and writes the Hugging Face `tokenizer.json` format.
///
/// Read: a `WordPiece` model (with a `BertNormalizer` or none, and a `BertPreTokenizer`) or a
/// `BPE` model with a `ByteLevel` pre-tokenizer (no normalizer); `added_tokens` marked special
/// are matched whole. Anything else is refused by name rather than tokenized differently.
public enum TokenizerFile {
    /// The tokenizer in `url`.
    /// - Throws: ``TokenizerError`` naming what the file holds and what is supported; Foundation's
    ///   error when it cannot be read.
    public static func load(contentsOf url: URL) throws -> any Tokenizer {
        try load(data: Data(contentsOf: url))
    }

    /// The tokenizer in `data` (a `tokenizer.json`'s bytes).
    /// - Throws: ``TokenizerError``.
    public static func load(data: Data) throws -> any Tokenizer {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TokenizerError.malformed("not a JSON object")
        }
        guard let model = root["model"] as? [String: Any], let type = model["type"] as? String else {
            throw TokenizerError.malformed("no model.type")
        }
        let special = try specialTokens(root["added_tokens"])
        switch type {
        case "WordPiece":
            return try wordPiece(model: model, normalizer: root["normalizer"], preTokenizer: root["pre_tokenizer"], special: special)
        case "BPE":
            return try byteLevelBPE(model: model, normalizer: root["normalizer"], preTokenizer: root["pre_tokenizer"], special: special)
        default:
            throw TokenizerError.unsupported("model type '\(type)'; supported: WordPiece, BPE (byte-level)")
        }
    }

    /// `tokenizer.json` text for a WordPiece tokenizer that `tokenizers` loads (BERT normalizer
    /// and pre-tokenizer, `[PAD]`, `[UNK]`, `[CLS]`, `[SEP]`, `[MASK]` as special tokens when present).
    public static func json(_ tokenizer: WordPieceTokenizer) throws -> Data {
        let added: [[String: Any]] = tokenizer.tokensByID.enumerated().compactMap { id, token in
            guard tokenizer.specialTokens[token] != nil else { return nil }
            return ["id": id, "content": token, "single_word": false, "lstrip": false, "rstrip": false,
                    "normalized": false, "special": true]
        }
        var normalizer: Any = NSNull()
        if let n = tokenizer.normalization {
            normalizer = ["type": "BertNormalizer", "clean_text": n.cleanText, "handle_chinese_chars": n.handleChineseCharacters,
                          "strip_accents": n.stripAccents, "lowercase": n.lowercase]
        }
        let root: [String: Any] = [
            "version": "1.0", "truncation": NSNull(), "padding": NSNull(), "added_tokens": added,
            "normalizer": normalizer, "pre_tokenizer": ["type": "BertPreTokenizer"], "post_processor": NSNull(),
            "decoder": ["type": "WordPiece", "prefix": tokenizer.continuingPrefix, "cleanup": true],
            "model": ["type": "WordPiece", "unk_token": tokenizer.unknownToken, "continuing_subword_prefix": tokenizer.continuingPrefix,
                      "max_input_chars_per_word": tokenizer.maxInputCharsPerWord, "vocab": tokenizer.vocabulary],
        ]
        return try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys])
    }

    private static func specialTokens(_ value: Any?) throws -> [String: Int] {
        guard let list = value as? [[String: Any]] else { return [:] }
        var out: [String: Int] = [:]
        for entry in list where entry["special"] as? Bool ?? false {
            guard let content = entry["content"] as? String, let id = entry["id"] as? Int else {
                throw TokenizerError.malformed("an added token without content or id")
            }
            out[content] = id
        }
        return out
    }

    private static func vocabulary(_ model: [String: Any]) throws -> [String: Int] {
        guard let vocab = model["vocab"] as? [String: Any] else { throw TokenizerError.malformed("model.vocab is not a mapping of tokens to ids") }
        var out: [String: Int] = [:]
        for (token, id) in vocab {
            guard let id = id as? Int else { throw TokenizerError.malformed("model.vocab['\(token)'] is not an integer id") }
            out[token] = id
        }
        return out
    }

    private static func wordPiece(model: [String: Any], normalizer: Any?, preTokenizer: Any?, special: [String: Int]) throws -> WordPieceTokenizer {
        var normalization: BertNormalization?
        if let n = normalizer as? [String: Any] {
            guard n["type"] as? String == "BertNormalizer" else {
                throw TokenizerError.unsupported("normalizer '\(n["type"] ?? "?")' with WordPiece; supported: BertNormalizer or none")
            }
            let lowercase = n["lowercase"] as? Bool ?? true
            normalization = BertNormalization(cleanText: n["clean_text"] as? Bool ?? true,
                                              handleChineseCharacters: n["handle_chinese_chars"] as? Bool ?? true,
                                              stripAccents: n["strip_accents"] as? Bool ?? lowercase, lowercase: lowercase)
        }
        if let p = preTokenizer as? [String: Any], p["type"] as? String != "BertPreTokenizer" {
            throw TokenizerError.unsupported("pre-tokenizer '\(p["type"] ?? "?")' with WordPiece; supported: BertPreTokenizer")
        }
        return try WordPieceTokenizer(vocabulary: vocabulary(model), unknownToken: model["unk_token"] as? String ?? "[UNK]",
                                      continuingPrefix: model["continuing_subword_prefix"] as? String ?? "##",
                                      maxInputCharsPerWord: model["max_input_chars_per_word"] as? Int ?? 100,
                                      normalization: normalization, specialTokens: special)
    }

    private static func byteLevelBPE(model: [String: Any], normalizer: Any?, preTokenizer: Any?, special: [String: Int]) throws -> ByteLevelBPETokenizer {
        guard normalizer == nil || normalizer is NSNull else {
            throw TokenizerError.unsupported("a normalizer with BPE; supported: byte-level BPE without one (GPT-2, RoBERTa)")
        }
        guard let p = preTokenizer as? [String: Any], p["type"] as? String == "ByteLevel", p["use_regex"] as? Bool ?? true else {
            throw TokenizerError.unsupported("BPE without a ByteLevel pre-tokenizer (GPT-2 pattern); only byte-level BPE is supported")
        }
        guard (model["continuing_subword_prefix"] ?? NSNull()) is NSNull, (model["end_of_word_suffix"] ?? NSNull()) is NSNull else {
            throw TokenizerError.unsupported("BPE with a subword prefix or end-of-word suffix")
        }
        guard let list = model["merges"] as? [Any] else { throw TokenizerError.malformed("model.merges is not a list") }
        let merges = try list.enumerated().map { i, entry -> ByteLevelBPETokenizer.Pair in
            if let pair = entry as? [String], pair.count == 2 { return .init(pair[0], pair[1]) }
            if let text = entry as? String {
                let parts = text.split(separator: " ", omittingEmptySubsequences: false)
                if parts.count == 2 { return .init(String(parts[0]), String(parts[1])) }
            }
            throw TokenizerError.malformed("merge \(i) is neither \"a b\" nor [\"a\", \"b\"]")
        }
        return try ByteLevelBPETokenizer(vocabulary: vocabulary(model), merges: merges,
                                         addPrefixSpace: p["add_prefix_space"] as? Bool ?? false, specialTokens: special)
    }
}
