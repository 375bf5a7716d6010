"""Re-render the bundled sample .docx reports from the seed dumps: python scripts/render_samples.py"""

from jixiao.samples import render_sample_documents

if __name__ == "__main__":
    for path in render_sample_documents():
        print(path)
