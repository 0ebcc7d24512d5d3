# The playground in a container, after Streamlit's documented recipe (docs/deployment.md).
#   docker build -t tinytorch-playground .
#   docker run --rm -p 8501:8501 tinytorch-playground      # then open http://localhost:8501
FROM python:3.11-slim

WORKDIR /app

# graphviz: the `dot` program behind the "Graph (SVG)" download (the browser draws the graph
# itself); curl: the health check below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends graphviz curl \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

# The app, with .streamlit/config.toml (tests, benchmarks and docs stay out: .dockerignore).
COPY . .

# A deployed app's files do not change: no file watcher.
ENV STREAMLIT_SERVER_FILE_WATCHER_TYPE=none

RUN useradd --create-home app
USER app

EXPOSE 8501

HEALTHCHECK CMD curl --fail http://localhost:8501/_stcore/health

ENTRYPOINT ["streamlit", "run", "playground.py", "--server.port=8501", "--server.address=0.0.0.0"]
